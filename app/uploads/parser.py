"""The `files` argument location, widened to form fields too: one schema for `file` + `purpose`.

webargs loads files and form fields separately, and OpenAPI allows one request body, so the
multipart form is parsed as one location (documented as multipart/form-data).
"""

from werkzeug.datastructures import CombinedMultiDict

from app.common.inputs import Parser


class MultipartParser(Parser):
    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)
