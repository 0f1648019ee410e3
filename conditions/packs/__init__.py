"""Content as files: the format (schema.py), reading and writing a folder (files.py), and
bringing a pack into the database as drafts (importing.py). See conditions/demo/content/.
"""
