"""Production deployment: the local stack (stack.py), backups (backup.py), nginx."""
