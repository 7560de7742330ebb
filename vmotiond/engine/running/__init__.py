"""Running vmoves: a notification's vmoves as a batch (``batch``), its
jobs dispatched to the shared pool (``dispatch``), each vmove's steps run,
recorded and retried (``runner``) by the rules of its kind
(``policy``), the plans as stored (``vmove_store``) and the steps
themselves (``steps``)."""
