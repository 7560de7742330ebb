"""The commands of ``openstack vmotiond ...`` (command group
``openstack.vmotiond.v1``)."""
