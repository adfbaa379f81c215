"""Questions asked of a built store: positions, views, comparisons, networks
(DNA's options), coalitions, agreement between coders and exports."""
