import sys
print(sys.argv[0].endswith('sys_module.py'), len(sys.argv))
print(sys.getswitchinterval())
sys.setswitchinterval(0.001)
print(sys.getswitchinterval())
print(sys.maxsize == 9223372036854775807, sys.platform)
try:
    sys.setswitchinterval(0)
except ValueError as e:
    print(e)
