// Task detail: the notification, each move's stages, and the timeline;
// for a session allowed to act, redo, reset, delete its moves (one, or
// every one the action applies to) and abort the task.
"use strict";

(() => {
  const {t, el, svg, get, fail, updated, badge} = VM;
  const ident = document.getElementById("task-id").dataset.task;
  const AUTO_STEPS = 5;
  const tags = {};
  let notification = null;
  let moves = [];

  function summary() {
    const pairs = [
      ["type", t(notification.type)], ["host", notification.hostname],
      ["status", t(notification.status)], ["generated", VM.time(notification.generated_time)],
      ["created", VM.time(notification.created_at)], ["message", notification.message || ""],
    ];
    document.getElementById("summary").replaceChildren(
      ...pairs.flatMap(([key, value]) => [el("dt", {text: t(key)}), el("dd", {"data-key": key, text: value})]));
  }

  async function taskAction(action, chosen) {
    try {
      if (await VM.moveAction(action, chosen)) await refresh();
    } catch (error) {
      fail(error);
    }
  }

  async function abort() {
    try {
      if (await VM.abortTask(notification)) await refresh();
    } catch (error) {
      fail(error);
    }
  }

  // The actions on the whole task: each vmove action on every move it
  // applies to, and abort while the task is new or running.
  function toolbar() {
    const bar = document.getElementById("task-actions");
    if (!bar || !VM.canAct) return;
    const buttons = [];
    if (VM.ABORTABLE.includes(notification.status)) buttons.push(VM.button(t("abort"), "abort", abort));
    for (const [action, statuses] of Object.entries(VM.MOVE_ALLOWED)) {
      const chosen = moves.filter((m) => statuses.includes(m.status));
      if (chosen.length) {
        buttons.push(VM.button(t(action) + " (" + chosen.length + ")", action, () => taskAction(action, chosen)));
      }
    }
    bar.replaceChildren(...(buttons.length ? [t("task_actions") + " ", ...buttons] : []));
  }

  function moveButtons(move) {
    if (!VM.canAct) return null;
    return el("span", {"class": "actions"}, Object.keys(VM.MOVE_ALLOWED)
      .filter((action) => VM.MOVE_ALLOWED[action].includes(move.status))
      .map((action) => VM.button(t(action), action, (event) => {
        // A button in a summary must not open or close its details.
        event.preventDefault();
        taskAction(action, [move]);
      })));
  }

  function stepTable(steps) {
    if (!steps.length) return el("p", {"class": "empty", text: t("no_steps")});
    const head = el("tr", {}, ["step", "attempt", "status", "started", "ended", "result", "context"]
      .map((key) => el("th", {text: t(key)})));
    const rows = steps.map((step) => el("tr", {"data-step": step.name}, [
      el("td", {text: step.name}), el("td", {"class": "num", text: step.attempt}),
      el("td", {}, [badge(step.status)]), el("td", {text: VM.time(step.started_at)}),
      el("td", {text: VM.time(step.ended_at)}), el("td", {text: step.result || ""}),
      el("td", {}, [el("code", {text: step.context ? JSON.stringify(step.context) : ""})]),
    ]));
    return el("table", {"class": "grid steps"}, [el("thead", {}, [head]), el("tbody", {}, rows)]);
  }

  async function loadSteps(move, holder) {
    try {
      const answer = await get("/v1/vmoves/" + move.uuid + "/steps");
      holder.replaceChildren(stepTable(answer.body.steps));
    } catch (error) {
      fail(error);
    }
  }

  function moveBlock(move, index) {
    const holder = el("div", {"class": "steps-holder"});
    const block = el("details", {"class": "vmove", "data-vmove": move.uuid, open: index < AUTO_STEPS}, [
      el("summary", {}, [
        el("strong", {text: move.instance_name || move.instance_uuid}), " ",
        t(move.type), " ", move.source_host || "", " → ", move.dest_host || "?", " ",
        badge(move.status), " ", VM.time(move.start_time), " – ", VM.time(move.end_time),
        move.message ? " " + move.message : "", " ", moveButtons(move)]),
      holder]);
    let loaded = false;
    const load = () => {
      if (!loaded && block.open) { loaded = true; loadSteps(move, holder); }
    };
    block.addEventListener("toggle", load);
    load();
    return block;
  }

  function events() {
    const found = [];
    const payload = notification.payload || {};
    const evidence = payload.evidence || {};
    const beat = evidence.last_heartbeat || evidence.heartbeat || null;
    if (typeof beat === "string") found.push(["heartbeat_lost", beat.replace("Z", "")]);
    const detected = payload.detected_at ? payload.detected_at.replace("Z", "") : null;
    if (detected) found.push(["detected", detected]);
    found.push(["received", notification.created_at]);
    // When the engine's recovery had the host fenced (API 1.7).
    if (notification.fenced_at) found.push(["fenced", notification.fenced_at]);
    const ends = moves.filter((m) => m.status === "succeeded" && m.end_time).map((m) => m.end_time).sort();
    if (ends.length && ends.length === moves.length) found.push(["all_running", ends[ends.length - 1]]);
    const marks = found.map(([key, when]) => ({key, at: VM.parseTime(when)}));
    // The monitor counts stale_for from the first stale observation: suspect.
    if (detected && typeof evidence.stale_for === "number") {
      marks.splice(1, 0, {key: "suspect", at: VM.parseTime(detected) - evidence.stale_for * 1000});
    }
    return marks.filter((e) => !isNaN(e.at));
  }

  // One row of markers for the detection events, then one bar per move.
  function timeline() {
    const figure = document.getElementById("timeline");
    const marks = events();
    const bars = moves.filter((m) => m.start_time).map((m) => ({
      move: m, start: VM.parseTime(m.start_time),
      end: m.end_time ? VM.parseTime(m.end_time) : Date.now()}));
    const times = marks.map((e) => e.at).concat(bars.flatMap((b) => [b.start, b.end]));
    if (!bars.length) {
      figure.replaceChildren(el("figcaption", {"class": "empty", text: t("timeline_empty")}));
      return;
    }
    const first = Math.min(...times);
    const last = Math.max(...times, first + 1000);
    const left = 180, width = 720, row = 16, top = 24 + marks.length * row;
    const height = top + bars.length * row + 24;
    const x = (when) => left + ((when - first) / (last - first)) * width;
    const picture = svg("svg", {viewBox: "0 0 " + (left + width + 20) + " " + height,
                                width: "100%", role: "img", "class": "timeline-svg"});
    picture.append(svg("title", {}, notification.hostname + " " + t(notification.type)));
    marks.forEach((mark, index) => {
      const at = x(mark.at), y = 20 + index * row;
      picture.append(svg("line", {x1: at, x2: at, y1: y - 10, y2: height - 20, "class": "mark m-" + mark.key}));
      picture.append(svg("text", {x: 4, y: y, "class": "label"}, t(mark.key)));
      picture.append(svg("circle", {cx: at, cy: y - 4, r: 4, "class": "mark m-" + mark.key}));
    });
    bars.forEach((bar, index) => {
      const y = top + index * row;
      picture.append(svg("text", {x: 4, y: y + 11, "class": "label"}, bar.move.instance_name || bar.move.instance_uuid));
      const rect = svg("rect", {x: x(bar.start), y: y, height: row - 4,
                                width: Math.max(x(bar.end) - x(bar.start), 2), "class": "bar s-" + bar.move.status});
      rect.append(svg("title", {}, (bar.move.instance_name || "") + " " + t(bar.move.status) + " " +
                      ((bar.end - bar.start) / 1000).toFixed(1) + " " + t("seconds")));
      picture.append(rect);
    });
    const seconds = ((last - first) / 1000).toFixed(1);
    picture.append(svg("text", {x: left, y: height - 4, "class": "axis"}, VM.time(new Date(first).toISOString().replace("Z", ""))));
    picture.append(svg("text", {x: left + width, y: height - 4, "class": "axis end"}, "+" + seconds + " " + t("seconds")));
    figure.replaceChildren(picture);
  }

  async function readMoves() {
    const found = [];
    let path = "/v1/vmoves?notification_uuid=" + notification.notification_uuid + "&sort_key=created_at&sort_dir=asc";
    let changed = false;
    for (let page = 0; page < 10 && path; page += 1) {
      const answer = await get(path, tags[path]);
      if (page === 0 && answer.status === 304) return false;
      if (page === 0) tags[path] = answer.etag;
      changed = true;
      found.push(...answer.body.vmoves);
      const next = (answer.body.vmoves_links || []).find((l) => l.rel === "next");
      path = next ? next.href.replace(/^.*?\/v1\//, "/v1/") : null;
    }
    moves = found;
    return changed;
  }

  async function refresh() {
    try {
      const answer = await get("/v1/notifications/" + encodeURIComponent(ident), tags.notification);
      if (answer.body) {
        tags.notification = answer.etag;
        notification = answer.body.notification;
        summary();
      }
      if (await readMoves() || answer.body) {
        document.getElementById("vmoves").replaceChildren(
          ...(moves.length ? moves.map(moveBlock) : [el("p", {"class": "empty", text: t("no_moves")})]));
        timeline();
        toolbar();
      }
      updated();
    } catch (error) {
      if (error.status === 404) VM.status(t("not_found"), true);
      else fail(error);
    }
  }

  refresh();
  setInterval(refresh, 3000);
})();
