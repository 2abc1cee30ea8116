import factory
from django.contrib.auth import get_user_model

from apps.lectures.models import Lecture
from apps.subjects.models import Subject

PASSWORD = "correct horse battery staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"student{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class SubjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subject

    user = factory.SubFactory(UserFactory)
    name = factory.Sequence(lambda n: f"Subject {n}")
    color = "#4f46e5"
    icon = "book"


class LectureFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lecture

    owner = factory.SubFactory(UserFactory)
    subject = factory.LazyAttribute(lambda o: SubjectFactory(user=o.owner))
    name = factory.Sequence(lambda n: f"Lecture {n}")
    original_filename = "notes.pdf"
    file_type = "pdf"
