#1783750797
tail -n 50 /var/log/syslog
#1783750885
df -h
#1783790841
df -h
#1783790880
uptime
#1783806947
systemctl status app
#1783807036
journalctl -u nginx --since today
#1783821598
df -h
#1783821692
journalctl -u nginx --since today
#1783846055
free -m
#1783846080
tail -n 50 /var/log/syslog
#1783850155
journalctl -u nginx --since today
#1783850167
free -m
#1783869649
df -h
#1783869767
systemctl status app
#1783885989
uptime
#1783886055
systemctl status app
#1783893573
uptime
#1783893640
free -m
#1783938907
journalctl -u nginx --since today
#1783939003
ls -la /srv
#1783978495
tail -n 50 /var/log/syslog
#1783978602
systemctl status app
#1783987449
uptime
#1783987523
ls -la /srv
#1783993198
ls -la /srv
#1783993213
tail -n 50 /var/log/syslog
#1783997911
free -m
#1783997930
journalctl -u nginx --since today
#1784005726
free -m
#1784005751
uptime
#1784011927
df -h
#1784012020
free -m
#1784030195
systemctl status app
#1784030249
journalctl -u nginx --since today
#1784037842
ls -la /srv
#1784037901
uptime
#1784065943
journalctl -u nginx --since today
#1784065996
ls -la /srv
