from django.urls import path

from .views import listings, orders

app_name = "supervision"

urlpatterns = [
    path("orders/", orders.OrderListView.as_view(), name="order-list"),
    path("orders/issue/<int:inspection_pk>/", orders.order_issue_view, name="order-issue"),
    path("orders/<int:pk>/", orders.OrderDetailView.as_view(), name="order-detail"),
    path("orders/<int:pk>/pdf/", orders.order_pdf, name="order-pdf"),
    path("orders/<int:pk>/signature/", orders.order_signature, name="order-signature"),
    path("listings/", listings.ListingListView.as_view(), name="listing-list"),
    path("listings/export/", listings.listing_export, name="listing-export"),
    path("listings/<int:pk>/", listings.ListingDetailView.as_view(), name="listing-detail"),
    path(
        "listings/<int:pk>/confirm/",
        listings.listing_decide,
        {"decision": "confirm"},
        name="listing-confirm",
    ),
    path(
        "listings/<int:pk>/refuse/",
        listings.listing_decide,
        {"decision": "refuse"},
        name="listing-refuse",
    ),
    path(
        "listings/<int:pk>/delist/",
        listings.listing_decide,
        {"decision": "delist"},
        name="listing-delist",
    ),
    path("hazards/<int:hazard_pk>/list/", listings.listing_propose_view, name="listing-propose"),
]
