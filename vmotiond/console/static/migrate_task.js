// Tasks: the newest notifications (older ones on demand) with the newest
// moves, polled with ETags; redo, reset, delete a move or a selection,
// abort a notification.
"use strict";

(() => {
  const {t, el, get, fail, updated, badge} = VM;
  // The newest 50 tasks, 50 more with each "Older tasks" (the API cuts a
  // list at its [api] max_limit).
  const PAGE = 50;
  let pages = 1;
  const VMOVES = "/v1/vmoves?limit=500&sort_key=created_at&sort_dir=desc";
  const state = {notifications: null, vmoves: null, tags: {}, selected: new Set()};
  const ALLOWED = VM.MOVE_ALLOWED;

  async function moveAction(action, uuids) {
    const byUuid = new Map((state.vmoves || []).map((move) => [move.uuid, move]));
    try {
      if (!(await VM.moveAction(action, uuids.map((uuid) => byUuid.get(uuid)).filter(Boolean)))) return;
      uuids.forEach((uuid) => state.selected.delete(uuid));
      await refresh();
    } catch (error) {
      fail(error);
    }
  }

  async function abort(notification) {
    try {
      if (await VM.abortTask(notification)) await refresh();
    } catch (error) {
      fail(error);
    }
  }

  function link(notification) {
    const anchor = el("a", {href: "/vmotion/tasks/" + notification.notification_uuid,
                            "class": "task", text: t(notification.type)});
    if (!VM.canAct || !VM.ABORTABLE.includes(notification.status)) return [anchor];
    return [anchor, " ", VM.button(t("abort"), "abort", () => abort(notification))];
  }

  function moveActions(move) {
    const pick = el("input", {type: "checkbox", "class": "pick", "data-vmove": move.uuid,
                              "aria-label": t("select"), checked: state.selected.has(move.uuid)});
    pick.addEventListener("change", () => {
      if (pick.checked) state.selected.add(move.uuid);
      else state.selected.delete(move.uuid);
    });
    return el("td", {"class": "actions"}, [pick, ...Object.keys(ALLOWED)
      .filter((action) => ALLOWED[action].includes(move.status))
      .map((action) => VM.button(t(action), action, () => moveAction(action, [move.uuid])))]);
  }

  function rows(notification, moves) {
    const span = Math.max(moves.length, 1);
    const head = [
      el("td", {rowspan: span}, link(notification)),
      el("td", {rowspan: span, text: notification.hostname}),
      el("td", {rowspan: span, text: VM.time(notification.updated_at || notification.created_at)}),
      el("td", {rowspan: span}, [badge(notification.status)]),
    ];
    if (!moves.length) {
      return [el("tr", {"data-notification": notification.notification_uuid},
                 [...head, el("td", {colspan: VM.canAct ? 7 : 6, "class": "empty", text: notification.message || ""})])];
    }
    return moves.map((move, index) => el(
      "tr", {"data-notification": notification.notification_uuid, "data-vmove": move.uuid},
      [...(index === 0 ? head : []),
       el("td", {text: move.instance_name || move.instance_uuid}),
       el("td", {text: t(move.type)}),
       el("td", {text: move.dest_host || ""}),
       el("td", {text: move.current_step || "–"}),
       el("td", {"class": "num", text: Math.max((move.attempts || 1) - 1, 0)}),
       el("td", {"class": "result"}, [badge(move.status), move.message ? " " + move.message : ""]),
       VM.canAct ? moveActions(move) : null]));
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
    if (!body.length) body.push(el("tr", {}, [el("td", {colspan: VM.canAct ? 11 : 10, "class": "empty", text: t("no_tasks")})]));
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
      const asked = PAGE * pages;
      const changed = await Promise.all([read("notifications", "/v1/notifications?limit=" + asked),
                                         read("vmoves", VMOVES)]);
      if (changed.some(Boolean)) draw();
      document.getElementById("older").hidden = state.notifications.length < asked;
      updated();
    } catch (error) {
      fail(error);
    }
  }

  for (const node of document.querySelectorAll("button[data-selected]")) {
    node.addEventListener("click", () => {
      const known = new Set((state.vmoves || []).map((move) => move.uuid));
      const picked = [...state.selected].filter((uuid) => known.has(uuid));
      if (picked.length) moveAction(node.dataset.selected, picked);
      else VM.show([t("none_selected")], true);
    });
  }

  document.getElementById("older").addEventListener("click", () => {
    pages += 1;
    state.tags.notifications = null;
    refresh();
  });

  refresh();
  setInterval(refresh, 2000);
})();
