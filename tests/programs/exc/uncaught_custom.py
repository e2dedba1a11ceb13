class BadThing(Exception):
    pass
raise BadThing('custom failure')
