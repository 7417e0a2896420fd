"""Admin helpers for editorial tests: log in, read the page editor form, admin URLs."""

from django.test import Client
from django.urls import reverse
from wagtail.test.utils.form_data import querydict_from_html


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def admin_form(client: Client, url: str):
    """The page editor form as the admin renders it (a mutable QueryDict), to POST back."""
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return querydict_from_html(response.content.decode(), form_id="page-edit-form")


def add_url(model, parent) -> str:
    return reverse(
        "wagtailadmin_pages:add", args=(model._meta.app_label, model._meta.model_name, parent.pk)
    )


def edit_url(page) -> str:
    return reverse("wagtailadmin_pages:edit", args=(page.pk,))


def post_form(client: Client, url: str, data):
    """POST a QueryDict keeping every value of multi-valued fields (the test client would
    send only the last one)."""
    return client.post(url, {key: data.getlist(key) for key in data})
