// Instances: a host's, or every instance page by page; for a selection,
// the target hosts vmotiond's planner accepts (read through the engine).
"use strict";

(() => {
  const {t, el, get, fail, updated, badge} = VM;
  const table = document.getElementById("instances");
  const host = table.dataset.host;
  // The page size: the page's ?limit=, else 50 (the API cuts it).
  const askedLimit = parseInt(new URLSearchParams(window.location.search).get("limit"), 10);
  const PAGE = askedLimit > 0 ? askedLimit : 50;
  // ?select=all (the Hosts page's custom migration): a host's instances
  // come ticked, once, when they are first shown.
  let selectAll = Boolean(host) && new URLSearchParams(window.location.search).get("select") === "all";
  const shown = new Map();     // uuid -> instance, in page order
  const selected = new Set();
  let next = null;             // the marker of the next page
  let etag = null;
  let asked = 0;               // the latest targets request

  function addresses(list) {
    return list.map((a) => el("div", {
      "class": "addr " + a.kind, title: a.network,
      text: a.kind === "floating" ? a.address + " (" + t("floating") + ")" : a.address}));
  }

  function row(instance) {
    const box = el("input", {type: "checkbox", "class": "pick", value: instance.uuid,
                             "aria-label": instance.name || instance.uuid});
    box.checked = selected.has(instance.uuid);
    box.addEventListener("change", () => {
      if (box.checked) selected.add(instance.uuid); else selected.delete(instance.uuid);
      selectionChanged();
    });
    const place = instance.host
      ? [el("a", {href: "/vmotion/host_desktop_migration/" + encodeURIComponent(instance.host),
                  text: instance.host})]
      : [];
    return el("tr", {"data-instance": instance.uuid}, [
      el("td", {}, [box]),
      el("td", {"class": "name"}, [el("div", {text: instance.name}),
                                   el("div", {"class": "uuid", text: instance.uuid})]),
      el("td", {"class": "owner", text: instance.project_id}),
      el("td", {"class": "flavor", text: instance.flavor || ""}),
      el("td", {"class": "host"}, place),
      el("td", {"class": "addresses"}, addresses(instance.addresses || [])),
      el("td", {"class": "status"}, [badge(instance.status),
                                     instance.task_state ? " " + instance.task_state : ""]),
    ]);
  }

  function draw() {
    const rows = [...shown.values()].map(row);
    if (!rows.length) rows.push(el("tr", {}, [el("td", {colspan: 7, "class": "empty", text: t("no_instances")})]));
    table.querySelector("tbody").replaceChildren(...rows);
    document.getElementById("more").hidden = !next;
  }

  function hook(instances, targets) {
    const node = document.getElementById("instance-actions");
    node.dataset.instances = JSON.stringify(instances);
    node.dataset.targets = JSON.stringify(targets);
    node.dispatchEvent(new CustomEvent("vmotion:instance-selection",
                                       {bubbles: true, detail: {instances, targets}}));
  }

  function drawTargets(answer) {
    const rows = answer.targets.map((target) => el("tr", {"data-target": target.host}, [
      el("td", {"class": "name", text: target.host}),
      el("td", {}, [badge(target.role)]),
      el("td", {text: target.zone || ""}),
      el("td", {"class": "num", text: target.memory_mb_free === null ? "–" : Math.floor(target.memory_mb_free)}),
      el("td", {"class": "num", text: target.vcpus_free === null ? "–" : Math.floor(target.vcpus_free)}),
    ]));
    if (!rows.length) rows.push(el("tr", {}, [el("td", {colspan: 5, "class": "empty", text: t("no_targets")})]));
    document.querySelector("#targets tbody").replaceChildren(...rows);
    document.querySelector("#refused ul").replaceChildren(...answer.refused.map(
      (r) => el("li", {"data-refused": r.host}, [el("strong", {text: r.host}), ": " + r.reason])));
    hook(answer.instances, answer.targets.map((target) => target.host));
  }

  async function selectionChanged() {
    const ids = [...selected];
    const section = document.getElementById("selection");
    section.hidden = !ids.length;
    document.getElementById("selection-count").textContent = t("selected") + " " + ids.length;
    const mine = ++asked;
    if (!ids.length) {
      hook([], []);
      return;
    }
    document.querySelector("#targets tbody").replaceChildren(
      el("tr", {}, [el("td", {colspan: 5, "class": "empty", text: t("loading")})]));
    try {
      const answer = await get("/v1/operator/instances/targets?instances=" + ids.join(","));
      if (mine === asked) drawTargets(answer.body);
    } catch (error) {
      if (mine === asked) fail(error);
    }
  }

  function keep(instances) {
    for (const instance of instances) shown.set(instance.uuid, instance);
  }

  async function refreshHost() {
    try {
      const answer = await get("/v1/operator/hosts/" + encodeURIComponent(host) + "/instances", etag);
      if (answer.body) {
        etag = answer.etag;
        shown.clear();
        keep(answer.body.instances);
        for (const uuid of [...selected]) if (!shown.has(uuid)) selected.delete(uuid);
        if (selectAll && shown.size) {
          selectAll = false;
          for (const uuid of shown.keys()) selected.add(uuid);
          document.getElementById("select-all").checked = true;
          selectionChanged();
        }
        draw();
      }
      updated();
    } catch (error) {
      fail(error);
    }
  }

  async function nextPage() {
    const more = document.getElementById("more");
    more.disabled = true;
    try {
      const marker = next ? "&marker=" + encodeURIComponent(next) : "";
      const answer = await get("/v1/operator/instances?limit=" + PAGE + marker);
      keep(answer.body.instances);
      const link = (answer.body.instances_links || []).find((l) => l.rel === "next");
      next = link ? new URL(link.href).searchParams.get("marker") : null;
      draw();
      updated();
    } catch (error) {
      fail(error);
    } finally {
      more.disabled = false;
    }
  }

  document.getElementById("select-all").addEventListener("change", (event) => {
    for (const uuid of shown.keys()) {
      if (event.target.checked) selected.add(uuid); else selected.delete(uuid);
    }
    draw();
    selectionChanged();
  });
  document.getElementById("more").addEventListener("click", nextPage);

  if (host) {
    refreshHost();
    setInterval(refreshHost, 10000);
  } else {
    nextPage();
  }
})();
