"""Which instances a host failure recovers: protection, service-owned
instances and local disks. Pure.

Protection is decided by one precedence: the first source that says
true or false wins, most specific first (``layers``):

1. the instance's metadata (``[engine] protection_metadata_key``);
2. its flavor's extra specs (``[engine] protection_flavor_key``);
3. its image's properties (``[engine] protection_image_key``;
   ``image_layer``): after the flavor, which only an administrator sets,
   while an image's owner sets its properties;
4. the metadata of the host aggregates its failed host belongs to
   (``[engine] protection_aggregate_key``; ``aggregate_layer``);
5. its name, when it matches ``[engine] protected_name_patterns``
   (a match protects; no match says nothing);
6. the default: protected unless ``[engine] ha_enabled_only`` is set.

A value that is not a boolean (``yes``, ``0``... are) says nothing, as an
unset key; so does a source that could not be read (an image deleted
since, an image service that failed), which the verdict names
(``Verdict.unread``, ``unknown``). A cloud without an image service has no
image layer at all: the plan says so once (``Plan.notes``), not each
instance.

Service-owned instances (Octavia's amphorae and the like) are recognised
by their project, their image's tags or their name (``service_owner``);
an instance whose disk lives on the failed host (image-backed, no shared
instance storage) comes back rebuilt from its image (``local_disk``).
"""

from collections.abc import Collection
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
import dataclasses
import re

from oslo_utils import strutils

from vmotiond.cloud import records

# ``[engine] shared_instance_storage`` entry meaning every host.
EVERY_HOST = "*"

METADATA = "instance metadata"
FLAVOR = "flavor extra spec"
IMAGE = "image property"
AGGREGATE = "host aggregate metadata"
NAME = "name pattern"
DEFAULT = "default"


@dataclasses.dataclass(frozen=True)
class Layer:
    """One source of protection: its name, the key read and its values."""

    source: str
    key: str
    values: Mapping[str, str]
    origin: str | None = None    # which one of its source (an aggregate)
    unread: str | None = None    # why it could not be read: says nothing


@dataclasses.dataclass(frozen=True)
class Verdict:
    """Whether an instance is protected, which source said so and how."""

    protected: bool
    source: str
    detail: str
    unread: tuple[str, ...] = ()    # sources passed over, unread, and why


def verdict(layers: Sequence[Layer], name: str,
            name_patterns: Sequence[re.Pattern[str]],
            default: bool) -> Verdict:
    """Decide protection: the first layer whose key holds a boolean, then
    a name matching one of ``name_patterns`` (protected), then
    ``default``. A layer that could not be read says nothing; the
    verdict names it when a later source decided."""
    unread: list[str] = []
    for layer in layers:
        if layer.unread is not None:
            unread.append(unknown(layer))
            continue
        value = _boolean(layer.values.get(layer.key))
        if value is None:
            continue
        detail = "%s %s=%s" % (layer.source, layer.key,
                               layer.values[layer.key])
        if layer.origin:
            detail += " (%s)" % layer.origin
        return Verdict(value, layer.source, detail, tuple(unread))
    for pattern in name_patterns:
        if pattern.fullmatch(name):
            return Verdict(True, NAME, "name %s matches %s"
                           % (name, pattern.pattern), tuple(unread))
    return Verdict(default, DEFAULT, "no source sets it, default %s"
                   % ("protected" if default else "unprotected"),
                   tuple(unread))


def unknown(layer: Layer, tags: bool = False) -> str:
    """What says that ``layer`` could not be read, and why; ``tags``:
    its image's tags are unknown too."""
    return "%s %s%s unknown (%s)" % (layer.source, layer.key,
                                      " and tags" if tags else "",
                                      layer.unread)


def _boolean(raw: str | None) -> bool | None:
    """``raw`` as a boolean, or None when unset or not a boolean."""
    if raw is None:
        return None
    try:
        return strutils.bool_from_string(raw, strict=True)
    except ValueError:
        return None


def layers(server: records.Server, metadata_key: str, flavor_key: str,
           aggregate: Layer | None = None,
           image: Layer | None = None) -> tuple[Layer, ...]:
    """``server``'s protection sources, most specific first; ``image`` is
    its image's (``image_layer``), ``aggregate`` its failed host's
    (``aggregate_layer``), each None when not read."""
    return tuple(layer for layer in (
        Layer(METADATA, metadata_key, server.metadata),
        Layer(FLAVOR, flavor_key, server.flavor_extra_specs),
        image, aggregate) if layer is not None)


def image_layer(server: records.Server, images: records.Images | None,
                key: str) -> Layer | None:
    """The protection ``server``'s image gives: its property ``key``;
    nothing for a server booted from a volume; unread (``image ID:
    why``) when the image could not be read; None when the images were
    not read at all, or the cloud has no image service (said once, by
    the plan)."""
    if images is None:
        return None
    image_id = server.image_id
    if image_id is None:
        return Layer(IMAGE, key, {})
    origin = "image %s" % image_id
    if image_id in images.unread:
        return Layer(IMAGE, key, {}, origin,
                     "%s: %s" % (origin, images.unread[image_id]))
    image = images.found.get(image_id)
    if image is None and images.missing is not None:
        return None
    if image is None:
        return Layer(IMAGE, key, {}, origin, "%s: not read" % origin)
    return Layer(IMAGE, key, image.properties,
                 "image %s" % (image.name or image.id))


def aggregate_layer(aggregates: Iterable[records.Aggregate], host: str,
                    key: str) -> Layer:
    """The protection ``host``'s aggregates give its instances: of those
    whose ``key`` holds a boolean, any false wins (an opt-out is a
    deliberate statement about these hosts; the instance and its flavor
    can still protect one), then any true; ties go to the first name, so
    Nova's listing order does not matter. Says nothing when none sets
    it."""
    said = []
    for aggregate in aggregates:
        value = _boolean(aggregate.metadata.get(key))
        if host in aggregate.hosts and value is not None:
            said.append((value, aggregate.name, aggregate.metadata[key]))
    if not said:
        return Layer(AGGREGATE, key, {})
    _, name, raw = min(said)      # False sorts first
    return Layer(AGGREGATE, key, {key: raw}, "aggregate %s" % name)


def service_owner(server: records.Server, projects: Collection[str],
                  name_patterns: Sequence[re.Pattern[str]],
                  image: records.Image | None = None,
                  image_tags: Collection[str] = ()) -> str | None:
    """Why ``server`` belongs to a service (its project is one of
    ``projects``, its ``image`` has one of ``image_tags``, or its name
    matches a pattern), or None."""
    if server.project_id and server.project_id in projects:
        return "its project %s is a service project" % server.project_id
    if image is not None:
        tagged = sorted(set(image.tags) & set(image_tags))
        if tagged:
            return "its image %s is tagged %s" % (image.name or image.id,
                                                   tagged[0])
    for pattern in name_patterns:
        if pattern.fullmatch(server.name):
            return "its name matches %s" % pattern.pattern
    return None


def local_disk(server: records.Server, host: str,
               shared_hosts: Collection[str]) -> bool:
    """Whether ``server``'s disk is lost with ``host``: it boots from an
    image (not from a volume) and ``host``'s instance storage is not
    shared (``shared_hosts`` names it, or holds ``EVERY_HOST``)."""
    if server.volume_backed:
        return False
    return host not in shared_hosts and EVERY_HOST not in shared_hosts
