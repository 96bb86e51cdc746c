"""The partner API: plan (routes added to vawg.api.api)."""

from ninja import Router

router = Router()
