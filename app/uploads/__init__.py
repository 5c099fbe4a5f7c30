"""File intake: type by content, size limit, EXIF-free re-encoding, thumbnails, storage, access rules."""
