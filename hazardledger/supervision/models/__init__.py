"""Rectification orders (责令限期整改指令书) and supervision listings (挂牌督办)."""

from .listings import Listing
from .orders import OrderItem, OrderSequence, RectificationOrder

__all__ = ["Listing", "OrderItem", "OrderSequence", "RectificationOrder"]
