"""The academy package's generated data: the demo city (`flask seed demo`) and a city
of any size (`flask seed city`), registered as steps by the package's `init_app`."""
