"""REST for the console's saved views: the caller's own, listed, saved (by name) and deleted."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from opscenter.models import SavedView, Severity
from opscenter.requests import request_user
from opscenter.selectors import saved_views_of
from opscenter.services.views import saved_view_delete, saved_view_save


class SavedViewFiltersSerializer(serializers.Serializer):
    """The alert list's filters (the REST list's parameters of the same names)."""

    q = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    severity = serializers.ListField(
        child=serializers.ChoiceField(choices=Severity.values), required=False, default=list, max_length=4
    )
    # Named as the parameter, though Field has an attribute `source` (DRF takes fields off the class).
    source = serializers.ListField(  # type: ignore[assignment]
        child=serializers.SlugField(max_length=32), required=False, default=list, max_length=50
    )
    district = serializers.ListField(
        child=serializers.SlugField(max_length=32), required=False, default=list, max_length=50
    )


class SavedViewOutputSerializer(serializers.ModelSerializer):
    class Meta:
        model = SavedView
        fields = ["id", "name", "filters", "updated_at"]
        read_only_fields = fields


class SavedViewListApi(APIView):
    class SavedViewInputSerializer(serializers.Serializer):
        name = serializers.CharField(max_length=80, trim_whitespace=True)
        filters = SavedViewFiltersSerializer()

    @extend_schema(responses=SavedViewOutputSerializer(many=True), summary="The caller's saved views")
    def get(self, request: Request) -> Response:
        views = saved_views_of(user=request_user(request))
        return Response(SavedViewOutputSerializer(views, many=True).data)

    @extend_schema(
        request=SavedViewInputSerializer,
        responses={201: SavedViewOutputSerializer, 200: SavedViewOutputSerializer},
        summary="Save the filters under a name (a view of that name is replaced: 200)",
    )
    def post(self, request: Request) -> Response:
        data = self.SavedViewInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        view, created = saved_view_save(
            user=request_user(request), name=data.validated_data["name"], filters=data.validated_data["filters"]
        )
        return Response(
            SavedViewOutputSerializer(view).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class SavedViewDeleteApi(APIView):
    @extend_schema(request=None, responses={204: None}, summary="Delete one of the caller's saved views")
    def delete(self, request: Request, view_pk: int) -> Response:
        view = saved_views_of(user=request_user(request)).filter(pk=view_pk).first()
        if view is None:
            raise NotFound()  # someone else's view is as absent as one that never was
        saved_view_delete(view=view)
        return Response(status=status.HTTP_204_NO_CONTENT)
