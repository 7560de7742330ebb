"""The contract between the monitor and the engine.

What the monitor sends and the engine reads: the versioned host event
payload (``payload``), its HMAC seal (``signing``), the checks a host-down
message passes before anything is stored (``validation``), and Nova's word
on a claimed failure that is not sealed (``confirm``). Both sides import
this package; it imports neither of them.
"""
