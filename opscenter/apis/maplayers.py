"""REST for the dashboard map's layers (opscenter.maplayers): one layer's features, scoped to the caller."""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opscenter.maplayers import map_layer_features
from opscenter.requests import request_user


class MapLayerFeaturesApi(APIView):
    @extend_schema(
        responses={200: OpenApiResponse(description="A GeoJSON FeatureCollection")},
        summary="One map layer's features in the caller's scope (districts, protected objects, ...)",
    )
    def get(self, request: Request, key: str) -> Response:
        features = map_layer_features(user=request_user(request), key=key)
        if features is None:
            raise NotFound()
        return Response({"type": "FeatureCollection", "features": features})
