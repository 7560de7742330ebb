"""The operator's commands: checked and written as notifications
(``requests``), task control over vmoves (``task_control``), the RPC
server ``vmotiond-manage`` and the API call (``rpc``) and the records
they answer with (``views``)."""
