# This file is part of «ЛК». The COPYRIGHT file at the top level of
# this repository contains the full copyright notices and license terms.
"""Files a client or a staff member uploads: the type read from the content,
not from the name, a size limit, the SHA-256 of the content, storage in the
filestore and versions of the same file.

A model takes `FileMixin` and may change, as class attributes:

- `file_types`: (signature, MIME type, extension) of the accepted contents
  (lk_edo adds CMS signatures, for instance);
- `file_size_config`: (section, option) of the size limit in trytond.conf.
"""
import hashlib
import re
import unicodedata

import trytond.config as config
from trytond.i18n import gettext
from trytond.model import fields

from .exceptions import FileError

DEFAULT_MAX_SIZE = 10 * 1024 * 1024
# the scans the portal accepts
SCAN_TYPES = [
    (b'%PDF-', 'application/pdf', 'pdf'),
    (b'\xff\xd8\xff', 'image/jpeg', 'jpg'),
    (b'\x89PNG\r\n\x1a\n', 'image/png', 'png'),
    ]
# the types a browser may show in place rather than download
INLINE_TYPES = {'application/pdf', 'image/jpeg', 'image/png'}
EXTENSION_ALIASES = {'jpg': {'jpg', 'jpeg'}}
_UNSAFE = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def safe_filename(name, extension=None, default='file'):
    """The base name of an uploaded file name, without path, control
    characters or quotes, at most 200 characters; ending with extension
    (if given), which is added when the name ends with another one."""
    name = unicodedata.normalize('NFC', name or '')
    name = name.replace('\\', '/').rsplit('/', 1)[-1]
    name = _UNSAFE.sub('_', name).strip(' ._') or default
    if extension:
        typed = name.rpartition('.')[2].lower() if '.' in name else ''
        if typed not in EXTENSION_ALIASES.get(extension, {extension}):
            name = '%s.%s' % (name, extension)
    if len(name) > 200:
        stem, dot, ext = name.rpartition('.')
        name = (stem[:200 - len(ext) - 1] + dot + ext) if dot else name[:200]
    return name


class FileMixin:
    "A stored file checked by content, with its versions"
    __slots__ = ()
    file_types = SCAN_TYPES
    file_size_config = ('lk_base', 'max_upload_size')

    name = fields.Char("File Name", required=True)
    data = fields.Binary(
        "File", required=True, file_id='data_id', filename='name')
    data_id = fields.Char("File ID", readonly=True)
    size = fields.Integer("Size", readonly=True)
    mimetype = fields.Char("Type", readonly=True)
    sha256 = fields.Char("SHA-256", readonly=True)
    version = fields.Integer("Version", readonly=True)
    current = fields.Boolean(
        "Current", readonly=True,
        help="Unchecked for the earlier versions of a replaced file.")

    @classmethod
    def default_version(cls):
        return 1

    @classmethod
    def default_current(cls):
        return True

    @classmethod
    def file_sniff(cls, data):
        "The MIME type of data from its first bytes, or None"
        for signature, mimetype, _ in cls.file_types:
            if data.startswith(signature):
                return mimetype

    @classmethod
    def file_max_size(cls):
        section, option = cls.file_size_config
        return config.getint(section, option, default=DEFAULT_MAX_SIZE)

    @classmethod
    def file_type_names(cls):
        "The accepted types as the messages name them: PDF, JPEG, PNG"
        names = []
        for _, _, extension in cls.file_types:
            name = extension.upper().replace('JPG', 'JPEG')
            if name not in names:
                names.append(name)
        return ', '.join(names)

    @classmethod
    def file_accept(cls):
        "The accept attribute of a file input for the accepted types"
        values = []
        for _, mimetype, extension in cls.file_types:
            values.extend('.' + e for e in sorted(
                    EXTENSION_ALIASES.get(extension, {extension})))
        values.extend(mimetype for _, mimetype, _ in cls.file_types)
        return ','.join(dict.fromkeys(values))

    @classmethod
    def preprocess_values(cls, mode, values):
        values = super().preprocess_values(mode, values)
        data = values.get('data')
        if data is not None:
            data = bytes(data)
            values['size'] = len(data)
            values['mimetype'] = cls.file_sniff(data)
            values['sha256'] = hashlib.sha256(data).hexdigest()
        return values

    @classmethod
    def validate_fields(cls, records, field_names):
        super().validate_fields(records, field_names)
        if {'mimetype', 'size'} & field_names:
            for record in records:
                record.check_file()

    def check_file(self):
        if not self.mimetype:
            raise FileError(gettext(
                    'lk_base.msg_file_type', name=self.name,
                    types=self.file_type_names()))
        max_size = self.file_max_size()
        if self.size > max_size:
            raise FileError(gettext(
                    'lk_base.msg_file_size', name=self.name,
                    size=_megabytes(max_size)))

    @classmethod
    def check_upload(cls, name, data):
        "Raise the FileError that storing data under name would raise"
        cls(name=name, size=len(data), mimetype=cls.file_sniff(data)
            ).check_file()

    @property
    def extension(self):
        for _, mimetype, extension in self.file_types:
            if mimetype == self.mimetype:
                return extension
        return 'bin'

    @property
    def download_name(self):
        "The file name to send it under: safe, with the extension of its type"
        return safe_filename(self.name, self.extension)

    @property
    def inline(self):
        "May a browser show the file in place (a known-safe type)?"
        return self.mimetype in INLINE_TYPES

    @classmethod
    def add_version(cls, previous, keep=True, **values):
        """A new version of the file previous are the versions of: the
        previous ones are kept as not current, or deleted if not keep"""
        version = max([p.version or 0 for p in previous], default=0) + 1
        previous = [p for p in previous if p.current or not keep]
        if previous:
            if keep:
                cls.write(previous, {'current': False})
            else:
                cls.delete(previous)
        record = cls(version=version, current=True, **values)
        record.save()
        return record


def _megabytes(size):
    megabytes = size / (1024 * 1024)
    if megabytes >= 1:
        return '%g' % round(megabytes, 1)
    return '%g' % round(megabytes, 3)
