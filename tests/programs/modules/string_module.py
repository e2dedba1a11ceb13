# string: the constants, capwords, Template (substitute, safe_substitute,
# $$, ${name}, keyword arguments over a mapping, a subclass's delimiter)
# and Template's errors.
import string

for name in ["ascii_letters", "ascii_lowercase", "ascii_uppercase", "digits",
             "hexdigits", "octdigits", "punctuation", "printable",
             "whitespace"]:
    print(name, repr(getattr(string, name)))
print(string.capwords("  hello   wORLD  of\tgilt "))
print(string.capwords("a-b-c d", "-"))
t = string.Template("$who likes ${what}s, costs $$5; $who_2 ${x}y")
print(t.template)
print(t.substitute({"who": "tim", "what": "kung pao", "who_2": 2, "x": 1.5}))
print(t.substitute(who="ann", what="tea", who_2=None, x=[1]))
print(t.substitute({"who": "m", "what": "w", "who_2": "m2", "x": "mx"}, who="kw"))
print(t.safe_substitute(who="only"))
print(string.Template("$ at end $").safe_substitute())
print(string.Template("${bad name} $1 ${}").safe_substitute())
print(t.is_valid(), string.Template("a $").is_valid())
print(t.get_identifiers())


class Percent(string.Template):
    delimiter = "%"


print(Percent("%a + %{b} = %%").substitute(a=1, b=2))


class Local:
    __module__ = "somewhere.else"


print(Local.__module__)

try:
    t.substitute(who="x")
except KeyError as e:
    print("KeyError:", e)
for text in ["cost $ 5", "line1\nline2 $", "ok $x ${y", "tab\n\nx $1"]:
    try:
        string.Template(text).substitute(x=1, y=2)
    except ValueError as e:
        print("ValueError:", e)
try:
    t.substitute({}, {})
except TypeError as e:
    print("TypeError:", e)
string.Template("$missing").substitute()
