"""The coordinators' web dashboard: numbers, tip inbox, composer and map, on the features' services."""
