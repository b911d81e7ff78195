"""Insurance pages, by sub-domain; each module lists its own urlpatterns."""
