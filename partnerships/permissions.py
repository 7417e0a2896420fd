"""Wagtail's permission policy for engagements: the model permissions of editorial.roles, with
change and delete narrowed to the engagements a user keeps (partnerships.access)."""

from wagtail.permission_policies import ModelPermissionPolicy

from .access import editable_engagements, keeps_engagement

SCOPED_ACTIONS = ("change", "delete")


class EngagementPermissionPolicy(ModelPermissionPolicy):
    """Model-level answers stay Django's (so the menu and the add button show); answers about
    one engagement also ask whether the user keeps its regions."""

    def user_has_permission_for_instance(self, user, action, instance):
        if not self.user_has_permission(user, action):
            return False
        return action not in SCOPED_ACTIONS or keeps_engagement(user, instance)

    def user_has_any_permission_for_instance(self, user, actions, instance):
        return any(self.user_has_permission_for_instance(user, a, instance) for a in actions)

    def instances_user_has_any_permission_for(self, user, actions):
        unscoped = [a for a in actions if a not in SCOPED_ACTIONS]
        if self.user_has_any_permission(user, unscoped):
            return self.model.objects.all()
        found = self.model.objects.none()
        for action in actions:
            found |= editable_engagements(user, action)
        return found.distinct()

    def instances_user_has_permission_for(self, user, action):
        return self.instances_user_has_any_permission_for(user, [action])
