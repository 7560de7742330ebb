// The actions on the instance pages' selection: migrate to an accepted
// target host, let the planner choose, reset the state. Drawn in the
// instance actions' hook from its "vmotion:instance-selection" event,
// only for a session the API lets act.
"use strict";

(() => {
  const {t, el, fail} = VM;
  const node = document.getElementById("instance-actions");
  if (!node || !VM.canAct) return;
  let selection = {instances: [], targets: []};

  async function instanceAction(body, what, question) {
    const count = " (" + body.instances.length + ")";
    if (!(await VM.confirm(question + count))) return;
    try {
      VM.report(await VM.act("/v1/operator/instances/action", body), what);
    } catch (error) {
      fail(error);
    }
  }

  function draw() {
    const {instances, targets} = selection;
    if (!instances.length) {
      node.replaceChildren();
      return;
    }
    const target = el("select", {id: "migrate-target", "aria-label": t("target_host")},
                      targets.map((host) => el("option", {value: host, text: host})));
    const chosen = document.getElementById("migrate-target");
    if (chosen && targets.includes(chosen.value)) target.value = chosen.value;
    const migrateTo = VM.button(t("migrate_to"), "migrate-to", () => instanceAction(
      {action: "migrate", instances, to: target.value}, t("migrate_to") + " " + target.value,
      t("confirm_migrate_to") + " " + target.value));
    migrateTo.disabled = !targets.length;
    node.replaceChildren(el("div", {"class": "actions"}, [
      migrateTo, " ", target, " ",
      VM.button(t("planner_chooses"), "migrate-planner", () => instanceAction(
        {action: "migrate", instances}, t("planner_chooses"), t("confirm_planner_chooses"))),
      " ",
      VM.button(t("reset_active"), "reset-active", () => instanceAction(
        {action: "reset_state", instances, state: "active"}, t("reset_active"), t("confirm_reset_state"))),
      " ",
      VM.button(t("reset_error"), "reset-error", () => instanceAction(
        {action: "reset_state", instances, state: "error"}, t("reset_error"), t("confirm_reset_state"))),
    ]));
  }

  node.addEventListener("vmotion:instance-selection", (event) => {
    selection = {instances: event.detail.instances, targets: event.detail.targets};
    draw();
  });
})();
