"""The algorithms of the `creatlas` provider, one module each."""


def all_algorithms():
    from .atlas import AtlasAlgorithm
    from .indicators import IndicatorsAlgorithm
    from .link import LinkAlgorithm
    from .overlay import OverlayAlgorithm
    from .typology import TypologyAlgorithm

    return [AtlasAlgorithm(), LinkAlgorithm(), OverlayAlgorithm(), IndicatorsAlgorithm(),
            TypologyAlgorithm()]
