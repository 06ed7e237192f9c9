"""Write N real articles from the shared data directory as JSON Lines raw articles, for the demo.

Half NASA news, half White House documents, picked evenly through each set; the text is read from
the data directory at run time and never stored in the repository.
"""

import json
import sys
from itertools import islice

from newsfeed.training.corpora import nasa, whitehouse


def main() -> None:
    data_dir, count = sys.argv[1], int(sys.argv[2])
    documents = list(islice(nasa.iter_articles(data_dir), 0, None, 97))[: count // 2]
    documents += list(islice(whitehouse.iter_documents(data_dir), 0, None, 701))[: count - len(documents)]
    for document in documents:
        print(json.dumps({"id": document.id, "title": document.title, "text": document.text, "source": document.id.split("/")[0]}))


if __name__ == "__main__":
    main()
