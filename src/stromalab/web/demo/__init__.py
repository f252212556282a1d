"""``stromalab demo``: a complete, realistic demo study in an empty database.

Everything goes through the actions, as people would do it on the pages: each change audited
in its transaction, each signature given with the signer's (demo) password, nobody approving
their own work. One module per job:

- :mod:`.people` — one account per role, with its documented demo password;
- :mod:`.clock` — the story's dates, counted from the day the demo runs;
- :mod:`.screening` — donors at every stage, data queries, decisions, enrollment, a withdrawal;
- :mod:`.manufacturing` — batches from harvest to storage;
- :mod:`.cytometer` — generated FCS 3.1 files of an MSC(AT) panel;
- :mod:`.quality` — QC results, FCS panels, release, and the batch an OOS blocks;
- :mod:`.study` — the whole story in order, refused on a database that holds study data.
"""
