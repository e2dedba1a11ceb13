class Animal:
    def __init__(self, name):
        self.name = name
    def speak(self):
        return self.name + ' makes a sound'
    def kind(self):
        return 'animal'
class Dog(Animal):
    def speak(self):
        return self.name + ' barks'
class Puppy(Dog):
    def kind(self):
        return 'puppy of ' + super().kind()
for a in [Animal('generic'), Dog('rex'), Puppy('bit')]:
    print(a.speak(), '/', a.kind(), isinstance(a, Dog), issubclass(type(a), Animal))
