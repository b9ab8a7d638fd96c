"""The review desk (`flopledger review serve`): a local web app over the warehouse; no Prefect."""
