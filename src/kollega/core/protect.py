"""Small-cell suppression that subtraction cannot undo (primary and complementary suppression).

The statistics publish, for each calendar year, a table of counts: its rows (the answers), its
columns (the twelve months and the year), a total row (requests per month and year) and a year
column (a row's months added up). Hiding only the counts from 1 to 4 is not enough: the year
minus the other months, or the total minus the other rows, gives a hidden count back. So a
count is hidden

1. when it is from 1 to `small - 1` (primary suppression), and then
2. as long as a hidden count can still be worked out from what is shown, one more shown count
   beside it is hidden too (complementary suppression), preferring counts above `small`, then
   the smallest.

In such a table every count lies in one row sum and one column sum. Draw a graph with a node for
each row and each column and an edge for each hidden count: a hidden count can be worked out
from the shown ones exactly when its edge is a bridge (it lies on no cycle), because values can
move around a cycle of hidden counts, +1 and -1 in turn, without changing a single sum. A row
or column without a published sum becomes the one "ground" node. On top of that, a sum whose
hidden remainder forces every hidden term to its least or greatest possible value (two counts
marked "<5" under a remainder of 2, both 1) gets one more hidden count.

Pure: numbers in, cells out; no Django. Used by `kollega.core.statistics` for the service's
and the collegial support scheme's tables alike.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

Cell = tuple[int, int]  # (row, column) in the table with its sums
GROUND = ("ground", 0)


@dataclass(frozen=True)
class Protection:
    counts: tuple[tuple[int, ...], ...]  # the table with its sums: total row, year column
    primary: frozenset[Cell]  # hidden because small
    secondary: frozenset[Cell]  # hidden so that no hidden count can be worked out

    def hidden(self, cell: Cell) -> bool:
        return cell in self.primary or cell in self.secondary


def with_sums(values: Sequence[Sequence[int]], *, margin: bool, total: bool) -> list[list[int]]:
    """`values` with a last column of row sums (`margin`) and a last row of column sums
    (`total`)."""
    table = [list(row) + ([sum(row)] if margin else []) for row in values]
    if total:
        width = len(table[0]) if table else (1 if margin else 0)
        table.append([sum(row[c] for row in table) for c in range(width)])
    return table


def protect(
    values: Sequence[Sequence[int]],
    *,
    margin: bool = True,
    total: bool = True,
    hidden: Iterable[Cell] = (),
    small: int = 5,
) -> Protection:
    """Choose the counts to hide in `values` (rows by columns) published with their sums.

    `margin`: a last column of row sums is published (the year beside its months). `total`: a
    last row of column sums is published (the total beside the answers). `hidden`: cells (in
    the table with its sums) to hide whatever their size, e.g. a total hidden in another table
    of the same requests.
    """
    table = with_sums(values, margin=margin, total=total)
    rows, columns = len(table), (len(table[0]) if table else 0)
    count = {(r, c): table[r][c] for r in range(rows) for c in range(columns)}
    primary = {cell for cell, n in count.items() if 0 < n < small}
    secret = primary | {cell for cell in hidden if cell in count}

    def row_node(r: int) -> tuple[str, int]:
        return ("row", r) if margin else GROUND

    def column_node(c: int) -> tuple[str, int]:
        return ("column", c) if total else GROUND

    def sums() -> list[tuple[Cell, list[Cell]]]:
        """(the published sum's cell, its terms) for every row and column sum."""
        found = []
        if margin:
            for r in range(rows):
                found.append(((r, columns - 1), [(r, c) for c in range(columns - 1)]))
        if total:
            for c in range(columns):
                found.append(((rows - 1, c), [(r, c) for r in range(rows - 1)]))
        return found

    def exposed() -> list[Cell]:
        return sorted(
            _bridges({cell: (row_node(cell[0]), column_node(cell[1])) for cell in secret})
        )

    def pinned() -> list[list[Cell]]:
        found = []
        for whole, terms in sums():
            unknown = [c for c in terms if c in secret]
            if whole in secret or len(unknown) < 2:
                continue
            remainder = count[whole] - sum(count[c] for c in terms if c not in secret)
            least = sum(1 if c in primary else small for c in unknown)
            most = (small - 1) * len(unknown) if all(c in primary for c in unknown) else -1
            if remainder in {least, most}:
                found.append([whole, *terms])
        return found

    def pick(cell: Cell, candidates: Iterable[Cell]) -> Cell | None:
        shown = [c for c in candidates if c not in secret and c != cell]
        if not shown:
            return None

        def cost(c: Cell) -> tuple[bool, bool, int, Cell]:
            # Beside other hidden counts first (closes a cycle sooner), then big, then small.
            beside = any(o != cell and (o[0] == c[0] or o[1] == c[1]) for o in secret)
            return (not beside, count[c] <= small, count[c], c)

        nonzero = [c for c in shown if count[c] > 0]
        return min(nonzero or shown, key=cost)

    while True:
        bridges = exposed()
        if bridges:
            cell = bridges[0]
            r, c = cell
            neighbours = [(r, k) for k in range(columns)] + [(k, c) for k in range(rows)]
            extra = pick(cell, neighbours) or pick(cell, count)
        else:
            tight = pinned()
            if not tight:
                break
            extra = pick((-1, -1), tight[0])
        if extra is None:  # everything is hidden already
            break
        secret.add(extra)
    return Protection(
        tuple(tuple(row) for row in table), frozenset(primary), frozenset(secret - primary)
    )


def _bridges(edges: dict[Cell, tuple[object, object]]) -> set[Cell]:
    """The edges (named by cell) that lie on no cycle of the multigraph `edges`."""
    adjacent: dict[object, list[tuple[object, Cell]]] = {}
    for name, (a, b) in edges.items():
        if a == b:
            continue  # a loop at the ground node: never determined
        adjacent.setdefault(a, []).append((b, name))
        adjacent.setdefault(b, []).append((a, name))
    order: dict[object, int] = {}
    low: dict[object, int] = {}
    found: set[Cell] = set()
    for start in adjacent:
        if start in order:
            continue
        # Iterative depth-first search: (node, the edge that reached it, next neighbour index).
        order[start] = low[start] = len(order)
        stack: list[tuple[object, Cell | None, int]] = [(start, None, 0)]
        while stack:
            node, via, index = stack[-1]
            if index < len(adjacent[node]):
                stack[-1] = (node, via, index + 1)
                other, name = adjacent[node][index]
                if name == via:
                    continue
                if other in order:
                    low[node] = min(low[node], order[other])
                else:
                    order[other] = low[other] = len(order)
                    stack.append((other, name, 0))
            else:
                stack.pop()
                if stack:
                    parent = stack[-1][0]
                    low[parent] = min(low[parent], low[node])
                    if low[node] > order[parent] and via is not None:
                        found.add(via)
    return found
