"""Reference data: UN regions and States, regional centres, the assistance taxonomy, modalities,
reference organisations and currencies, read from the files in ``seeds/``.

``files`` reads and checks the files, ``seed`` upserts them into the database, ``services``
queries them, ``names`` localises them and ``money`` converts amounts to US dollars.
"""
