"""Backups that restore: the database, the uploaded files and a manifest of their SHA-256.

``database.py`` copies one engine's database consistently while the application keeps writing;
``archive.py`` writes a backup folder and restores one into an empty database, then checks
what was restored (audit chain, every stored file against its recorded hash).
"""
