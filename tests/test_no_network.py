"""The suite cannot call out: only loopback connections are allowed (pytest-socket)."""

import socket

import pytest
from pytest_socket import SocketBlockedError, SocketConnectBlockedError

# pytest-socket warns, then raises; with warnings as errors the warning is what surfaces.
BLOCKED = (SocketBlockedError, SocketConnectBlockedError, UserWarning)


def test_connections_beyond_loopback_are_refused():
    with pytest.raises(BLOCKED), socket.create_connection(("203.0.113.7", 443), 1):
        pass


def test_openai_without_a_server_fails_the_test_not_the_network():
    import openai

    client = openai.OpenAI(api_key="test", base_url="https://api.openai.com/v1", max_retries=0)
    with pytest.raises((*BLOCKED, openai.APIConnectionError)):
        client.models.list()
