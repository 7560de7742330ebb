// Tasks: the newest notifications with the newest moves, polled with ETags.
"use strict";

(() => {
  const {t, el, get, fail, updated, badge} = VM;
  const NOTIFICATIONS = "/v1/notifications?limit=50";
  const VMOVES = "/v1/vmoves?limit=500&sort_key=created_at&sort_dir=desc";
  const state = {notifications: null, vmoves: null, tags: {}};

  function link(notification) {
    return el("a", {href: "/vmotion/tasks/" + notification.notification_uuid,
                    "class": "task", text: t(notification.type)});
  }

  function rows(notification, moves) {
    const span = Math.max(moves.length, 1);
    const head = [
      el("td", {rowspan: span}, [link(notification)]),
      el("td", {rowspan: span, text: notification.hostname}),
      el("td", {rowspan: span, text: VM.time(notification.updated_at || notification.created_at)}),
      el("td", {rowspan: span}, [badge(notification.status)]),
    ];
    if (!moves.length) {
      return [el("tr", {"data-notification": notification.notification_uuid},
                 [...head, el("td", {colspan: 6, "class": "empty", text: notification.message || ""})])];
    }
    return moves.map((move, index) => el(
      "tr", {"data-notification": notification.notification_uuid, "data-vmove": move.uuid},
      [...(index === 0 ? head : []),
       el("td", {text: move.instance_name || move.instance_uuid}),
       el("td", {text: t(move.type)}),
       el("td", {text: move.dest_host || ""}),
       el("td", {text: move.current_step || "–"}),
       el("td", {"class": "num", text: Math.max((move.attempts || 1) - 1, 0)}),
       el("td", {"class": "result"}, [badge(move.status), move.message ? " " + move.message : ""])]));
  }

  function draw() {
    const byTask = new Map();
    for (const move of state.vmoves) {
      if (!byTask.has(move.notification_uuid)) byTask.set(move.notification_uuid, []);
      byTask.get(move.notification_uuid).push(move);
    }
    const body = [];
    for (const notification of state.notifications) {
      const moves = (byTask.get(notification.notification_uuid) || [])
        .slice().sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
      body.push(...rows(notification, moves));
    }
    if (!body.length) body.push(el("tr", {}, [el("td", {colspan: 10, "class": "empty", text: t("no_tasks")})]));
    document.querySelector("#tasks tbody").replaceChildren(...body);
  }

  async function read(key, path) {
    const answer = await get(path, state.tags[key]);
    if (!answer.body) return false;
    state.tags[key] = answer.etag;
    state[key] = answer.body[key];
    return true;
  }

  async function refresh() {
    try {
      const changed = await Promise.all([read("notifications", NOTIFICATIONS), read("vmoves", VMOVES)]);
      if (changed.some(Boolean)) draw();
      updated();
    } catch (error) {
      fail(error);
    }
  }

  refresh();
  setInterval(refresh, 2000);
})();
