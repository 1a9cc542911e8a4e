"""The API's rules for the kinds the playground accepts: field schemas (decoding: types and
unknown fields), validation (names, labels, selectors, ports, quantities, enums), defaulting
(``pkg/apis/*/v1/defaults.go`` and the defaulting admission plugins) and the immutable-field
checks of updates. Messages are the API server's own (``pkg/apis/*/validation``,
``apimachinery/pkg/util/validation``); callers add where (file, document, line)."""
