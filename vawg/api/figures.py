"""The partner API: figures (routes added to vawg.api.api)."""

from ninja import Router

router = Router()
