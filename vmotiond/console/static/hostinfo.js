// Hosts: the inventory, the monitor's state and the operator's choices.
"use strict";

(() => {
  const {t, el, get, fail, updated, badge} = VM;
  let etag = null;

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
    if (host.monitor_detail) parts.push(host.monitor_detail);
    if (host.last_heartbeat) parts.push(t("heartbeat") + " " + VM.time(host.last_heartbeat));
    return el("td", {"class": "evidence"}, parts.map((p) => el("div", {text: p})));
  }

  function details(host) {
    const items = [t("nova_state") + ": " + (host.service_state || "?") + " / " + (host.service_status || "?")];
    if (host.forced_down) items.push(t("forced_down"));
    if (host.disabled_reason) items.push(host.disabled_reason);
    return el("td", {}, items.map((p) => el("div", {text: p})));
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
      el("td", {"class": "num", text: host.running_instances}),
      el("td", {}, [badge(host.maintenance ? "maintenance" : host.monitor_state)]),
      evidence(host),
      details(host),
      el("td", {}, [badge(host.role)]),
      el("td", {}, [badge(host.auto_evacuate ? "on" : "off")]),
    ]);
  }

  async function refresh() {
    try {
      const answer = await get("/v1/hosts", etag);
      if (answer.body) {
        etag = answer.etag;
        const rows = answer.body.hosts.map(row);
        if (!rows.length) rows.push(el("tr", {}, [el("td", {colspan: 12, "class": "empty", text: t("no_hosts")})]));
        document.querySelector("#hosts tbody").replaceChildren(...rows);
      }
      updated();
    } catch (error) {
      fail(error);
    }
  }

  refresh();
  setInterval(refresh, 5000);
})();
