// Hosts: the inventory, the monitor's state and the operator's choices,
// with the host actions for a session the API lets act, and the sync of
// every host from OpenStack now.
"use strict";

(() => {
  const {t, el, get, fail, updated, badge} = VM;
  let etag = null;

  async function hostAction(host, body, what, question) {
    if (question && !(await VM.confirm(question + " " + host.name))) return;
    try {
      VM.report(await VM.act("/v1/operator/hosts/" + encodeURIComponent(host.name) + "/action", body), what);
      etag = null;
      await refresh();
    } catch (error) {
      fail(error);
    }
  }

  // The engine reads Nova now (the monitor's inventory sync) and answers
  // with what changed.
  async function sync() {
    const button = document.getElementById("sync");
    button.disabled = true;
    try {
      const answer = await VM.act("/v1/operator/hosts/action", {action: "sync"});
      const counts = answer.ok && answer.body.sync;
      if (counts) {
        VM.show([t("sync") + ": " + t("sync_counts").replace("{created}", counts.created)
          .replace("{updated}", counts.updated).replace("{deleted}", counts.deleted)], false);
      } else VM.report(answer, t("sync"));
      etag = null;
      await refresh();
    } catch (error) {
      fail(error);
    } finally {
      button.disabled = false;
    }
  }

  function actions(host) {
    const role = host.role === "standby" ? "normal" : "standby";
    const evacuate = !host.auto_evacuate;
    return el("td", {"class": "actions"}, [
      VM.button(t(role === "standby" ? "make_standby" : "make_normal"), "role-" + role,
                () => hostAction(host, {action: "set", role}, t("set_role"))),
      VM.button(t(evacuate ? "evacuate_on" : "evacuate_off"), "evacuate-" + (evacuate ? "on" : "off"),
                () => hostAction(host, {action: "set", auto_evacuate: evacuate}, t("set_evacuate"))),
      VM.button(t("drain"), "drain",
                () => hostAction(host, {action: "drain"}, t("drain"), t("confirm_drain"))),
      // A custom migration: the host's instances, all ticked, with the
      // hosts the planner accepts for them to choose from.
      VM.button(t("custom_migrate"), "custom-migrate", () => {
        window.location.href = "/vmotion/host_desktop_migration/" + encodeURIComponent(host.name) + "?select=all";
      }),
      VM.button(t("move_back"), "move_back",
                () => hostAction(host, {action: "move_back"}, t("move_back"), t("confirm_move_back"))),
      VM.button(t("release"), "release",
                () => hostAction(host, {action: "release"}, t("release"), t("confirm_release"))),
    ]);
  }

  function ratio(used, total, unit) {
    if (!total) return el("td", {"class": "na", text: "–"});
    const share = Math.min(used / total, 1);
    return el("td", {}, [
      el("meter", {min: 0, max: 1, low: 0.7, high: 0.9, optimum: 0, value: share.toFixed(3),
                   title: used + " / " + total + " " + unit}),
      el("span", {"class": "ratio", text: Math.round(share * 100) + "%"}),
    ]);
  }

  function evidence(host) {
    const parts = [];
    if (host.monitor_state_since) parts.push(t("since") + " " + VM.time(host.monitor_state_since));
    // The monitor's detail, one line per field that says something.
    const detail = host.monitor_detail;
    if (typeof detail === "string") parts.push(detail);
    else if (detail) {
      for (const [key, value] of Object.entries(detail)) {
        if (value === null || value === 0 || value === "" || (Array.isArray(value) && !value.length)) continue;
        parts.push(key + ": " + (typeof value === "object" ? JSON.stringify(value) : value));
      }
    }
    if (host.last_heartbeat) parts.push(t("heartbeat") + " " + VM.time(host.last_heartbeat));
    return el("td", {"class": "evidence"}, parts.map((p) => el("div", {text: p})));
  }

  // One line per network: the management IP, then what each Neutron agent
  // on the host reports (none when the cloud has no network service).
  function networks(host) {
    const lines = host.management_ip ? [t("management") + ": " + host.management_ip] : [];
    for (const agent of host.networks || []) {
      const parts = [];
      if (agent.tunneling_ip) parts.push(t("tunnel") + " " + agent.tunneling_ip);
      for (const mappings of [agent.bridge_mappings, agent.interface_mappings]) {
        for (const [net, device] of Object.entries(mappings || {})) parts.push(net + " → " + device);
      }
      lines.push(agent.agent_type + ": " + parts.join(", "));
    }
    return lines;
  }

  function details(host) {
    const items = [t("nova_state") + ": " + (host.service_state || "?") + " / " + (host.service_status || "?")];
    if (host.forced_down) items.push(t("forced_down"));
    if (host.disabled_reason) items.push(host.disabled_reason);
    return el("td", {"class": "details"}, [
      ...items.map((p) => el("div", {text: p})),
      ...networks(host).map((p) => el("div", {"class": "network", text: p})),
    ]);
  }

  function row(host) {
    return el("tr", {"data-host": host.name}, [
      el("td", {"class": "name"}, [el("a", {href: "/vmotion/host_desktop_migration/" + encodeURIComponent(host.name),
                                             text: host.name})]),
      el("td", {text: host.management_ip || ""}),
      el("td", {text: host.availability_zone || ""}),
      ratio(host.vcpus_used, host.vcpus_total, "vCPU"),
      ratio(host.memory_mb_used, host.memory_mb_total, "MiB"),
      ratio(host.disk_gb_used, host.disk_gb_total, "GiB"),
      el("td", {"class": "num instances", text: host.instances_running + " / " + host.instances_total}),
      el("td", {}, [badge(host.maintenance ? "maintenance" : host.monitor_state)]),
      evidence(host),
      details(host),
      el("td", {}, [badge(host.role)]),
      el("td", {}, [badge(host.auto_evacuate ? "on" : "off")]),
      VM.canAct ? actions(host) : null,
    ]);
  }

  async function refresh() {
    try {
      const answer = await get("/v1/hosts", etag);
      if (answer.body) {
        etag = answer.etag;
        const rows = answer.body.hosts.map(row);
        if (!rows.length) rows.push(el("tr", {}, [el("td", {colspan: VM.canAct ? 13 : 12, "class": "empty", text: t("no_hosts")})]));
        document.querySelector("#hosts tbody").replaceChildren(...rows);
      }
      updated();
    } catch (error) {
      fail(error);
    }
  }

  const syncButton = document.getElementById("sync");
  if (syncButton && VM.canAct) syncButton.addEventListener("click", sync);
  refresh();
  setInterval(refresh, 5000);
})();
