app_name = "marac"

urlpatterns: list = []
