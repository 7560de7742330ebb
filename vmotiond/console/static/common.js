// Shared by the console's pages: texts, DOM building, API reads, actions.
// Everything from the API is put in the page as text, never as HTML.
// Actions exist only when the page carries the session's CSRF token (the
// server puts it there when the API lets the session act).
"use strict";

const VM = (() => {
  const block = document.getElementById("strings");
  const strings = block ? JSON.parse(block.textContent) : {};
  const API = "/vmotion/api";
  const csrf = document.body.dataset.csrf || null;

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

  // POST an operator action; resolves {ok, status, body}.
  async function act(path, body) {
    const response = await fetch(API + path, {
      method: "POST", credentials: "same-origin", cache: "no-store", body: JSON.stringify(body),
      headers: {"OpenStack-API-Version": "instance-ha 1.7", "Accept": "application/json",
                "Content-Type": "application/json", "X-CSRF-Token": csrf}});
    if (response.status === 401) {
      status(t("expired"), true);
      window.location.assign("/vmotion/login");
      throw new Error("unauthorized");
    }
    let answer = {};
    try { answer = await response.json(); } catch (error) { answer = {}; }
    return {ok: response.ok, status: response.status, body: answer};
  }

  function refusal(answer) {
    const detail = Object.values(answer.body || {})[0] || {};
    return detail.message || String(answer.status);
  }

  // Show the engine's answer: the task an action started, or its refusal.
  function report(answer, what) {
    // 202: the action started work; a notification names the task.
    const note = answer.status === 202 ? answer.body.notification : null;
    const parts = [what + ": "];
    if (!answer.ok) parts.push(t("refused") + " " + refusal(answer));
    else if (note && note.uuid) {
      parts.push(t("task_started") + " ", el("a", {href: "/vmotion/tasks/" + note.uuid, "class": "task",
                                                   text: t(note.type || "") + " " + note.uuid}));
    } else parts.push(t(answer.status === 202 ? "accepted" : "done"));
    show(parts, !answer.ok);
  }

  function show(parts, isError) {
    const node = document.getElementById("answer");
    node.replaceChildren(...parts);
    node.classList.toggle("error", Boolean(isError));
    node.classList.add("shown");
  }

  // Ask before an action that moves instances; resolves true to go on.
  function confirm(text) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-text").textContent = text;
    return new Promise((resolve) => {
      const yes = document.getElementById("confirm-yes");
      const no = document.getElementById("confirm-no");
      const close = (value) => () => {
        yes.onclick = no.onclick = dialog.oncancel = null;
        dialog.close();
        resolve(value);
      };
      yes.onclick = close(true);
      no.onclick = dialog.oncancel = close(false);
      dialog.showModal();
    });
  }

  function button(label, name, onClick) {
    const node = el("button", {type: "button", "class": "act", "data-action": name, text: label});
    node.addEventListener("click", onClick);
    return node;
  }

  // The statuses the engine takes each vmove action from; the actions that
  // move instances, or stop their moves, ask first.
  const MOVE_ALLOWED = {redo: ["failed"], reset: ["ongoing", "failed"], delete: ["succeeded", "failed", "ignored"]};
  const ABORTABLE = ["new", "running"];
  const ASK = {redo: "confirm_redo", reset: "confirm_reset", delete: null, abort: "confirm_abort"};

  // The requests of a vmove action on ``moves`` ({uuid, notification_uuid}):
  // redo and reset take the moves of one notification together (one by one,
  // the second would find the notification running again); delete, each.
  function moveRequests(action, moves) {
    const one = (uuid) => ["/v1/operator/vmoves/" + uuid + "/action", {action}];
    if (action === "delete") return moves.map((move) => one(move.uuid));
    const byTask = new Map();
    for (const move of moves) {
      if (!byTask.has(move.notification_uuid)) byTask.set(move.notification_uuid, []);
      byTask.get(move.notification_uuid).push(move.uuid);
    }
    return [...byTask].map(([task, uuids]) => (uuids.length === 1 ? one(uuids[0]) :
      ["/v1/operator/notifications/" + task + "/action", {action, vmoves: uuids}]));
  }

  // Redo, reset or delete vmoves (the Tasks and task detail pages); resolves
  // whether it asked the engine.
  async function moveAction(action, moves) {
    if (ASK[action] && !(await confirm(t(ASK[action]) + " (" + moves.length + ")"))) return false;
    const answers = [];
    for (const [path, body] of moveRequests(action, moves)) answers.push(await act(path, body));
    if (answers.length === 1) report(answers[0], t(action));
    else {
      const refused = answers.filter((a) => !a.ok);
      show([t(action) + ": " + (answers.length - refused.length) + " " + t("done") +
            (refused.length ? ", " + refused.length + " " + t("refused") + " " + refusal(refused[0]) : "")],
           refused.length > 0);
    }
    return true;
  }

  // Abort a new or running notification; resolves whether it asked.
  async function abortTask(notification) {
    if (!(await confirm(t(ASK.abort) + " " + (notification.hostname || "")))) return false;
    report(await act("/v1/operator/notifications/" + notification.notification_uuid + "/action",
                     {action: "abort"}), t("abort"));
    return true;
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

  return {t, el, svg, time, parseTime, status, get, fail, updated, badge,
          canAct: Boolean(csrf), act, refusal, report, show, confirm, button,
          MOVE_ALLOWED, ABORTABLE, moveAction, abortTask};
})();
