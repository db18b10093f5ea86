# Builds one WebAuthn registration ("none" and packed self-attestation) and one assertion with python-fido2's own
# encoders, checks them with fido2's Fido2Server, and prints them for WebAuthnTests.swift.
# Run: pip install fido2 cryptography && python3 scripts/webauthn-fido2-vector.py (each run makes a new key).
import os, importlib.metadata as md
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives import hashes
from fido2 import cbor
from fido2.cose import ES256
from fido2.server import Fido2Server
from fido2.utils import websafe_encode, sha256
from fido2.webauthn import (AttestationObject, AttestedCredentialData, AuthenticatorData, CollectedClientData,
    PublicKeyCredentialRpEntity, PublicKeyCredentialUserEntity, AuthenticatorAttestationResponse,
    AuthenticatorAssertionResponse, RegistrationResponse, AuthenticationResponse, UserVerificationRequirement)

rp_id, origin = "bonafide.example", "https://bonafide.example"
server = Fido2Server(PublicKeyCredentialRpEntity(name="Bonafide", id=rp_id), verify_origin=lambda o: o == origin)
user = PublicKeyCredentialUserEntity(name="ada", id=b"user-ada", display_name="Ada")
key = ec.generate_private_key(ec.SECP256R1())
cred_id = os.urandom(32)
F = AuthenticatorData.FLAG

def register(fmt):
    challenge = os.urandom(32)
    _, state = server.register_begin(user, challenge=challenge, user_verification=UserVerificationRequirement.REQUIRED)
    client_data = CollectedClientData.create(type="webauthn.create", challenge=challenge, origin=origin)
    cred = AttestedCredentialData.create(b"\0" * 16, cred_id, ES256.from_cryptography_key(key.public_key()))
    auth = AuthenticatorData.create(sha256(rp_id.encode()), F.UP | F.UV | F.BE | F.BS | F.AT, 0, cred)
    if fmt == "none":
        stmt = {}
    else:
        stmt = {"alg": -7, "sig": key.sign(bytes(auth) + client_data.hash, ec.ECDSA(hashes.SHA256()))}
    att = AttestationObject.create(fmt, auth, stmt)
    response = RegistrationResponse(raw_id=cred_id, response=AuthenticatorAttestationResponse(client_data=client_data, attestation_object=att))
    server.register_complete(state, response)
    return challenge, client_data, att, cred

challenge, client_data, att, cred = register("none")
print("fido2", md.version("fido2"))
print("reg.challenge", websafe_encode(challenge))
print("reg.clientDataJSON", websafe_encode(bytes(client_data)))
print("reg.attestationObject", websafe_encode(bytes(att)))
print("reg.credentialID", websafe_encode(cred_id))
print("reg.publicKeyCOSE", websafe_encode(cbor.encode(cred.public_key)))
pchallenge, pclient, patt, _ = register("packed")
print("packed.challenge", websafe_encode(pchallenge))
print("packed.clientDataJSON", websafe_encode(bytes(pclient)))
print("packed.attestationObject", websafe_encode(bytes(patt)))

challenge = os.urandom(32)
_, state = server.authenticate_begin([cred], challenge=challenge, user_verification=UserVerificationRequirement.REQUIRED)
client_data = CollectedClientData.create(type="webauthn.get", challenge=challenge, origin=origin)
auth = AuthenticatorData.create(sha256(rp_id.encode()), F.UP | F.UV | F.BE | F.BS, 7)
sig = key.sign(bytes(auth) + client_data.hash, ec.ECDSA(hashes.SHA256()))
server.authenticate_complete(state, [cred], AuthenticationResponse(raw_id=cred_id,
    response=AuthenticatorAssertionResponse(client_data=client_data, authenticator_data=auth, signature=sig)))
print("get.challenge", websafe_encode(challenge))
print("get.clientDataJSON", websafe_encode(bytes(client_data)))
print("get.authenticatorData", websafe_encode(bytes(auth)))
print("get.signature", websafe_encode(sig))
