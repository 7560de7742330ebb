"""Options of the [engine] group: how vmotiond moves instances."""

from oslo_config import cfg

from vmotiond import constants
from vmotiond.conf import groups

GROUP = cfg.OptGroup(
    "engine",
    title="Engine options",
    help="Intake of notifications and the moves that recover a host.")

POOL_OPTS = [
    cfg.IntOpt(
        "workers",
        default=8,
        min=1,
        help="How many instances move at once: each evacuation or migration "
             "holds one of these slots from its request until it has landed. "
             "The pool has twice as many threads, so the quick steps before "
             "and after a move (floating IPs, start) overlap with other "
             "moves."),
    cfg.IntOpt(
        "notification_workers",
        default=4,
        min=1,
        help="How many notifications (failed hosts, drains...) are worked "
             "on at once; their vmoves share the workers pool."),
    cfg.IntOpt(
        "max_moves_per_target",
        default=10,
        min=0,
        help="Most moves running at once towards one target host (Nova's "
             "own max_concurrent_builds defaults to 10). 0: no limit."),
    cfg.IntOpt(
        "max_concurrent_nova_calls",
        default=10,
        min=0,
        help="Most calls that change the cloud (evacuate, migrate, start, "
             "stop, reset state, force down, enable or disable a service, "
             "floating IP (dis)associations) in flight at once from this "
             "engine, whatever notification makes them: the recovery of "
             "several hosts at once does not flood the Nova API. Reads are "
             "not counted. 0: no limit."),
    cfg.FloatOpt(
        "tier_timeout",
        default=600.0,
        min=0.0,
        help="Readiness gate between priority tiers (vmotion:priority): "
             "the instances of a tier start moving when every vmove of the "
             "tier before is final (its instance landed in its final "
             "state, or the vmove failed or was ignored), or when that "
             "tier has run this many seconds; the notification's message "
             "says so. 0: no gate, a tier starts as soon as every vmove of "
             "the tier before has started."),
    cfg.BoolOpt(
        "resume_on_start",
        default=True,
        help="On start, take up notifications left new or running, reconcile "
             "their ongoing vmoves with Nova and finish them."),
    cfg.FloatOpt(
        "resume_interval",
        default=60.0,
        min=0.0,
        help="Seconds between two sweeps that take up new or running "
             "notifications no engine works on (for example when the "
             "engine that held the host's lock died). 0: only on start."),
    cfg.FloatOpt(
        "new_poll_interval",
        default=2.0,
        min=0.0,
        help="Seconds between two looks for new notifications nobody "
             "started: the monitor records its verdict before it sends it, "
             "so a verdict the message bus did not take is started within "
             "this time. 0: only the resume_interval sweep finds them."),
    cfg.FloatOpt(
        "capacity_check_interval",
        default=300.0,
        min=0.0,
        help="Seconds between two failover-headroom checks (the planner "
             "plans the loss of every host in turn, as 'vmotiond-manage "
             "capacity check' does); when the loss of the largest host "
             "could not be absorbed a failover_headroom alert is recorded. "
             "0: never."),
    cfg.FloatOpt(
        "notification_max_age",
        default=300.0,
        min=1.0,
        help="A vmotiond.host.down message whose detected_at is older than "
             "this many seconds (or more than 60 s in the future) is "
             "refused, recorded and alerted instead of acted on."),
]

PLAN_OPTS = [
    cfg.FloatOpt(
        "ram_weight",
        default=1.0,
        min=0.0,
        help="Weight of a target's free RAM (normalised across candidates) "
             "in the target score."),
    cfg.FloatOpt(
        "vcpu_weight",
        default=1.0,
        min=0.0,
        help="Weight of a target's free vCPUs (allocation ratio applied, "
             "normalised across candidates) in the target score."),
    cfg.FloatOpt(
        "disk_weight",
        default=0.0,
        min=0.0,
        help="Weight of a target's free disk in the target score."),
    cfg.BoolOpt(
        "evacuate_error_instances",
        default=False,
        help="Evacuate instances that were in ERROR when their host failed. "
             "When off they are recorded as ignored."),
    cfg.BoolOpt(
        "ha_enabled_only",
        default=False,
        help="Default protection of an instance no source decides (see "
             "protection_metadata_key): off, it is evacuated; on, it is "
             "not (Masakari's convention: only instances marked HA_Enabled "
             "are). The metadata key vmotion:evacuate=false opts an "
             "instance out in any case."),
    cfg.StrOpt(
        "protection_metadata_key",
        default="HA_Enabled",
        help="Instance metadata key whose boolean value protects (true) or "
             "opts out (false) an instance: the first source of "
             "protection, before the flavor's extra spec, the image "
             "property, the host aggregates' metadata, the name patterns "
             "and the default "
             "(ha_enabled_only). A value that is not a boolean counts as "
             "unset. Masakari's key by default."),
    cfg.StrOpt(
        "protection_flavor_key",
        default="HA_Enabled",
        help="Flavor extra spec whose boolean value protects or opts out "
             "every instance of the flavor, unless its own metadata "
             "decides. Read from the server details (microversion >= "
             "2.47, admin), without an extra request."),
    cfg.StrOpt(
        "protection_image_key",
        default="HA_Enabled",
        help="Image property whose boolean value protects or opts out "
             "every instance booted from the image (Instance HA's tagged "
             "images), unless its metadata or flavor decides: after the "
             "flavor, which only an administrator sets, while an image's "
             "owner sets its properties; before the host aggregates. Read "
             "from the image service once per image per recovery; an "
             "instance booted from a volume has none. An image deleted "
             "since, or a cloud without an image service, counts as unset "
             "and the vmove's message says so."),
    cfg.StrOpt(
        "protection_aggregate_key",
        default="HA_Enabled",
        help="Host aggregate metadata key whose boolean value protects or "
             "opts out the instances of a failed host in the aggregate, "
             "unless their metadata, flavor or image decides (Instance HA's "
             "tagged aggregates). When the host's aggregates disagree, "
             "false wins. Read once per recovery; if Nova fails to list "
             "the aggregates they count as unset (a warning is logged)."),
    cfg.MultiStrOpt(
        "protected_name_patterns",
        default=[],
        help="Regular expressions (one per line, matching the whole name): "
             "an instance whose name matches is protected when neither its "
             "metadata, its flavor, its image nor its host's aggregates "
             "decide. Empty: names do not count."),
    cfg.BoolOpt(
        "evacuate_service_instances",
        default=False,
        help="Evacuate instances that belong to a service (see "
             "service_projects, service_image_tags and "
             "service_name_patterns), such as "
             "Octavia's amphorae. Off: they are recorded as ignored, for "
             "their service recovers them its own way (Octavia's health "
             "manager fails an amphora over), and an evacuation behind its "
             "back would race it."),
    cfg.ListOpt(
        "service_projects",
        default=[],
        help="Project ids whose instances belong to a service (Octavia's "
             "service project, for example)."),
    cfg.ListOpt(
        "service_image_tags",
        default=[constants.AMPHORA_IMAGE_TAG],
        help="Image tags whose instances belong to a service: Octavia "
             "boots its amphorae from the image tagged with its [controller"
             "_worker] amp_image_tag (amphora, as deployment tools set "
             "it). Read from the image service with the image property "
             "(see protection_image_key)."),
    cfg.MultiStrOpt(
        "service_name_patterns",
        default=[constants.AMPHORA_NAME],
        help="Regular expressions (one per line, matching the whole name) "
             "of instances that belong to a service. Default: Octavia's "
             "amphorae, named amphora-<uuid>."),
    cfg.ListOpt(
        "shared_instance_storage",
        default=[],
        help="Hosts whose instance disks are on shared storage (NFS, "
             "Ceph RBD images_type...), so an evacuated instance keeps its "
             "disk; '*': every host. On other hosts an instance booted "
             "from an image (not from a volume) is rebuilt from its image "
             "by an evacuation and loses its local data; see "
             "local_disk_policy. Nova's API does not say whether storage "
             "is shared (from microversion 2.14 evacuate finds out by "
             "itself)."),
    cfg.StrOpt(
        "local_disk_policy",
        default="evacuate",
        choices=[("evacuate", "Evacuate it all the same (rebuilt from its "
                              "image); its vmove's message says so."),
                 ("skip", "Leave it where it is, recorded as ignored "
                          "with the reason.")],
        help="What a host failure recovery does with an instance whose disk "
             "was local to the failed host (see shared_instance_storage)."),
    cfg.BoolOpt(
        "floating_ip_steps",
        default=True,
        help="Record each instance's floating IPs before a move, rebind the "
             "ones that did not follow and check them afterwards (Neutron). "
             "These steps never keep an instance where it is: a failure is "
             "said in the vmove's message and the move goes on, and on a "
             "cloud without a network service they are skipped. A redo "
             "follows the value the engine read at its start."),
    cfg.IntOpt(
        "default_priority",
        default=0,
        help="Priority tier of instances without a valid vmotion:priority "
             "metadata key. Higher tiers move first."),
]

STEP_OPTS = [
    cfg.StrOpt(
        "evacuate_microversion",
        default="2.94",
        help="Compute API microversion of evacuate calls. Up to 2.94 a "
             "running instance comes back running; from 2.95 Nova leaves it "
             "SHUTOFF and vmotiond starts it afterwards (one more call)."),
    cfg.IntOpt(
        "step_retries",
        default=3,
        min=0,
        help="Retries of a step that failed for a reason that may pass "
             "(cloud unreachable, 409 conflict). Refusals are not retried."),
    cfg.FloatOpt(
        "step_retry_backoff",
        default=2.0,
        min=0.0,
        help="Seconds before the first retry of a step; doubles each retry."),
    cfg.FloatOpt(
        "step_retry_backoff_max",
        default=30.0,
        min=0.0,
        help="Longest wait between two retries of a step."),
    cfg.FloatOpt(
        "poll_interval",
        default=1.0,
        min=0.01,
        help="Seconds between two polls of an instance while waiting for it "
             "to land on its new host or change state."),
    cfg.FloatOpt(
        "move_timeout",
        default=600.0,
        min=1.0,
        help="Seconds an evacuation or migration may take to land the "
             "instance on another host before the vmove fails."),
    cfg.FloatOpt(
        "state_timeout",
        default=180.0,
        min=1.0,
        help="Seconds a start, stop, pause or suspend may take."),
    cfg.FloatOpt(
        "floating_ip_timeout",
        default=30.0,
        min=0.0,
        help="Seconds the floating IP check waits for each floating IP to be "
             "bound to the instance's port."),
]

FENCE_OPTS = [
    cfg.StrOpt(
        "fence_driver",
        default="none",
        choices=[("none", "Only force the compute service down and disable "
                          "it."),
                 ("command", "Run fence_command; exit status 0 means the "
                             "host is powered off."),
                 ("ipmi", "Power the host off with ipmitool and wait until "
                          "it reports off.")],
        help="Power fencing run before the compute service is forced down. "
             "When it fails the recovery stops (notification failed)."),
    cfg.StrOpt(
        "fence_command",
        help="Command for the command driver; %(host)s and %(address)s are "
             "replaced. Split like a shell would, not run by a shell."),
    cfg.FloatOpt(
        "fence_timeout",
        default=60.0,
        min=1.0,
        help="Seconds one power fencing attempt may take."),
    cfg.IntOpt(
        "fence_attempts",
        default=3,
        min=1,
        help="Power fencing attempts before the recovery blocks: a host "
             "whose BMC cannot be reached may still run its instances, so "
             "nothing is evacuated and an alert is raised until an "
             "operator runs 'vmotiond-manage host confirm-fenced HOST'. A "
             "host the driver reports already off is fenced."),
    cfg.FloatOpt(
        "fence_settle_delay",
        default=0.0,
        min=0.0,
        help="Seconds waited after a host is fenced before its instances "
             "are evacuated, for shared storage to release the dead host's "
             "locks."),
    cfg.DictOpt(
        "ipmi_addresses",
        default={},
        help="BMC address of each host for the ipmi driver and %(address)s "
             "(host:address pairs). Unset: the host's management IP, unless "
             "it is not the host's own (shared by several hosts, loopback, "
             "unspecified...): then fencing fails."),
    cfg.StrOpt(
        "ipmi_username",
        default="",
        help="BMC user of the ipmi driver."),
    cfg.StrOpt(
        "ipmi_password",
        default="",
        secret=True,
        help="BMC password of the ipmi driver (passed by environment)."),
    cfg.StrOpt(
        "ipmi_interface",
        default="lanplus",
        help="ipmitool interface (-I)."),
]

OPERATION_OPTS = [
    cfg.BoolOpt(
        "auto_move_back",
        default=False,
        help="When the monitor reports a failed host recovered (healthy for "
             "its soak period), clear its fence and move back the instances "
             "of its last evacuation that are still where it put them. Off: "
             "an operator runs 'vmotiond-manage host move-back HOST'."),
    cfg.BoolOpt(
        "leave_disabled",
        default=False,
        help="Never enable a failed host's compute service again: move-back "
             "and 'host release' only un-force it down (reason "
             "vmotiond:released:<uuid>), and an operator enables it in Nova. "
             "Off: they enable it once every vmove of its recovery is final "
             "and the monitor has it healthy."),
    cfg.StrOpt(
        "rpc_topic",
        default="vmotiond-engine",
        help="Topic of the engine's RPC server, which vmotiond-manage asks "
             "to drain hosts, migrate or reset instances, move back and "
             "control tasks."),
    cfg.FloatOpt(
        "rpc_timeout",
        default=60.0,
        min=1.0,
        help="Seconds vmotiond-manage waits for the engine to accept a "
             "request (validation and recording, not the moves)."),
    cfg.FloatOpt(
        "rpc_ping_timeout",
        default=5.0,
        min=0.5,
        help="Seconds vmotiond-manage waits for an engine to answer before "
             "a write; without an answer it stops and changes nothing."),
    cfg.FloatOpt(
        "unfence_timeout",
        default=120.0,
        min=1.0,
        help="Seconds a move-back waits for the recovered host's compute "
             "service to report up after its fence is cleared."),
]

OPTS = POOL_OPTS + PLAN_OPTS + STEP_OPTS + FENCE_OPTS + OPERATION_OPTS


def register_opts(conf: cfg.ConfigOpts) -> None:
    groups.register(conf, GROUP, OPTS)


def list_opts() -> dict[cfg.OptGroup, list[cfg.Opt]]:
    return {GROUP: OPTS}
