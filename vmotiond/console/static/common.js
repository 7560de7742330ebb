// Shared by the console's pages: texts, DOM building, API reads.
// Everything from the API is put in the page as text, never as HTML.
"use strict";

const VM = (() => {
  const block = document.getElementById("strings");
  const strings = block ? JSON.parse(block.textContent) : {};
  const API = "/vmotion/api";

  function t(key) {
    return Object.prototype.hasOwnProperty.call(strings, key) ? strings[key] : key;
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (name === "text") node.textContent = String(value);
      else node.setAttribute(name, String(value));
    }
    for (const child of children || []) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function svg(tag, attrs, text) {
    const node = document.createElementNS("http://www.w3.org/2000/svg", tag);
    for (const [name, value] of Object.entries(attrs || {})) node.setAttribute(name, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function time(value) {
    if (!value) return "";
    return value.replace("T", " ").replace(/\.\d+$/, "");
  }

  function parseTime(value) {
    if (!value) return NaN;
    return Date.parse(/(Z|[+-]\d\d:\d\d)$/.test(value) ? value : value + "Z");
  }

  function status(text, isError) {
    const node = document.getElementById("status");
    if (!node) return;
    node.textContent = text;
    node.classList.toggle("error", Boolean(isError));
  }

  // GET path of the REST API; resolves {status, etag, body} (body null on 304).
  async function get(path, etag) {
    const headers = {"OpenStack-API-Version": "instance-ha latest", "Accept": "application/json"};
    if (etag) headers["If-None-Match"] = etag;
    const response = await fetch(API + path, {headers, credentials: "same-origin", cache: "no-store"});
    if (response.status === 401) {
      status(t("expired"), true);
      window.location.assign("/vmotion/login");
      throw new Error("unauthorized");
    }
    if (response.status === 304) return {status: 304, etag, body: null};
    const body = await response.json();
    if (!response.ok) {
      const detail = Object.values(body)[0] || {};
      const error = new Error(detail.message || String(response.status));
      error.status = response.status;
      throw error;
    }
    return {status: response.status, etag: response.headers.get("ETag"), body};
  }

  function fail(error) {
    if (error.message !== "unauthorized") status(t("error") + " " + error.message, true);
  }

  function updated() {
    status(t("updated") + " " + new Date().toLocaleTimeString());
  }

  function badge(value) {
    return el("span", {"class": "badge s-" + value, text: t(value)});
  }

  return {t, el, svg, time, parseTime, status, get, fail, updated, badge};
})();
