"""Each file format the engine reads or writes, in one module each: the manifest, ``results.json``,
the gradebook CSV, a class folder; and the one atomic write they all use."""
