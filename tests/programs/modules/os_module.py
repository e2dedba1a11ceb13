import os
print(os.getpid() > 0, isinstance(os.cpu_count(), int), os.sep, os.getenv('GILT_SURELY_UNSET_VAR', 'default'))
