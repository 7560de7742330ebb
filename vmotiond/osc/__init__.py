"""The openstackclient plugin: ``openstack vmotiond ...``.

Loaded only by python-openstackclient, through the entry points
``openstack.cli.extension`` (``vmotiond = vmotiond.osc.plugin``) and
``openstack.vmotiond.v1`` in setup.cfg. Its commands import cliff and
osc-lib, which OSC brings and the daemon never needs: nothing else in
vmotiond imports this package, and it imports nothing else of vmotiond
(tests/unit/test_imports.py), so ``pip install --no-deps vmotiond`` beside
OSC is enough to run it.
"""
