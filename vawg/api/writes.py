"""The partner API: writes (routes added to vawg.api.api)."""

from ninja import Router

router = Router()
