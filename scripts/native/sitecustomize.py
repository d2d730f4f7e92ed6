# Python >= 3.10 removed the collections.* ABC aliases that mediasoup 3.8.4's bundled gyp still uses.
# Put back the aliases from collections.abc; the generated makefiles are identical to Python 3.9's.
import collections
import collections.abc

for _name in ("Callable", "Hashable", "Iterable", "Mapping", "MutableMapping", "MutableSet", "Sequence", "Set"):
    if not hasattr(collections, _name):
        setattr(collections, _name, getattr(collections.abc, _name))
