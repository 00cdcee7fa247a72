"""yente 5.5's own response models, field for field (``yente/data/common.py``,
``yente/data/freebase.py`` and nomenklatura's ``FeatureDoc`` / ``AlgorithmDocs``).

yente itself cannot be installed beside Clearance (it pins older fastapi and followthemoney),
so the models the tests validate against are restated here from the yente 5.5.0 wheel; the
``yente-client`` package covers the rest (``yente_client.models``).
"""

from __future__ import annotations

from enum import Enum
from typing import Any

from pydantic import AnyHttpUrl, BaseModel, Field
from yente_client.models import Entity as EntityResponse
from yente_client.models import TotalSpec


class FeatureDoc(BaseModel):
    description: str | None
    coefficient: float
    url: str


class ConfigVarType(str, Enum):  # noqa: UP042 - as nomenklatura defines it
    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"


class ConfigVar(BaseModel):
    type: ConfigVarType = ConfigVarType.FLOAT
    description: str | None = None
    default: str | int | float | bool | None = 0


class AlgorithmDocs(BaseModel):
    name: str
    description: str | None = None
    config: dict[str, ConfigVar]
    features: dict[str, FeatureDoc]


class Algorithm(BaseModel):
    name: str
    description: str | None = None
    features: dict[str, FeatureDoc] = Field(..., min_length=1)
    docs: AlgorithmDocs


class AlgorithmResponse(BaseModel):
    algorithms: list[Algorithm]
    default: str
    best: str


class AdjacentResultsResponse(BaseModel):
    limit: int
    offset: int = 0
    total: TotalSpec
    results: list[str | EntityResponse]


class EntityAdjacentResponse(BaseModel):
    entity: EntityResponse
    adjacent: dict[str, AdjacentResultsResponse]


class FreebaseType(BaseModel):
    id: str
    name: str
    description: str | None = None


class FreebaseEntity(BaseModel):
    id: str
    name: str
    description: str | None = None
    type: list[FreebaseType]


class FreebaseScoredEntity(FreebaseEntity):
    score: float | None
    match: bool | None


class FreebaseEntityResult(BaseModel):
    result: list[FreebaseScoredEntity]


class FreebaseProperty(BaseModel):
    id: str
    name: str
    description: str | None = None


class FreebaseSuggestResponse(BaseModel):
    code: str = "/api/status/ok"
    status: str = "200 OK"
    prefix: str


class FreebaseEntitySuggestResponse(FreebaseSuggestResponse):
    result: list[FreebaseEntity]


class FreebaseTypeSuggestResponse(FreebaseSuggestResponse):
    result: list[FreebaseType]


class FreebasePropertySuggestResponse(FreebaseSuggestResponse):
    result: list[FreebaseProperty]


class FreebaseExtendProperty(BaseModel):
    id: str
    name: str


class FreebaseExtendPropertiesResponse(BaseModel):
    limit: int
    type: str
    properties: list[FreebaseExtendProperty]


class FreebaseExtendResponseMeta(BaseModel):
    id: str
    name: str


class FreebaseExtendResponseValue(BaseModel):
    str: str


class FreebaseExtendResponse(BaseModel):
    meta: list[FreebaseExtendResponseMeta]
    rows: dict[str, dict[str, list[FreebaseExtendResponseValue]]]


class FreebaseManifestView(BaseModel):
    url: str


class FreebaseManifestPreview(BaseModel):
    url: str
    width: int
    height: int


class FreebaseManifestSuggestType(BaseModel):
    service_url: AnyHttpUrl
    service_path: str


class FreebaseManifestSuggest(BaseModel):
    entity: FreebaseManifestSuggestType
    type: FreebaseManifestSuggestType
    property: FreebaseManifestSuggestType


class FreebaseManifestExtendPropertySettingChoice(BaseModel):
    id: str
    name: str


class FreebaseManifestExtendPropertySetting(BaseModel):
    name: str
    label: str
    type: str
    default: Any
    help_text: str
    choices: list[FreebaseManifestExtendPropertySettingChoice] = []


class FreebaseManifestExtend(BaseModel):
    propose_properties: FreebaseManifestSuggestType
    propose_settings: list[FreebaseManifestExtendPropertySetting]


class FreebaseManifest(BaseModel):
    versions: list[str]
    name: str
    identifierSpace: AnyHttpUrl
    schemaSpace: AnyHttpUrl
    documentation: AnyHttpUrl
    batchSize: int
    view: FreebaseManifestView
    preview: FreebaseManifestPreview
    suggest: FreebaseManifestSuggest
    extend: FreebaseManifestExtend
    defaultTypes: list[FreebaseType]
